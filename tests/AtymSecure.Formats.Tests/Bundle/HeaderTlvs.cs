using System.Buffers.Binary;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>An encoded bundle header taken apart into (tag, value) entries and put back, to craft headers the encoder would refuse.</summary>
internal static class HeaderTlvs
{
    /// <summary>Entries of an encoded header, as (tag, value).</summary>
    public static List<(ushort Tag, byte[] Value)> Entries(byte[] tlvs)
    {
        var result = new List<(ushort, byte[])>();
        for (var at = 0; at < tlvs.Length;)
        {
            var tag = BinaryPrimitives.ReadUInt16LittleEndian(tlvs.AsSpan(at));
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(tlvs.AsSpan(at + 2));
            result.Add((tag, tlvs.AsSpan(at + 6, length).ToArray()));
            at += 6 + length;
        }
        return result;
    }

    public static byte[] Encode(IEnumerable<(ushort Tag, byte[] Value)> entries)
    {
        using var m = new MemoryStream();
        foreach (var (tag, value) in entries)
        {
            var prefix = new byte[6];
            BinaryPrimitives.WriteUInt16LittleEndian(prefix, tag);
            BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan(2), (uint)value.Length);
            m.Write(prefix);
            m.Write(value);
        }
        return m.ToArray();
    }
}
