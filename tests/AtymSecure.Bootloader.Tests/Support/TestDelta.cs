using System.Buffers.Binary;
using AtymSecure.Bootloader.Install;

namespace AtymSecure.Bootloader.Tests.Support;

/// <summary>
/// A deliberately simple delta format used only by these tests as a stand-in decoder:
/// a list of ops, each u8 kind (1 = copy from base, 2 = literal) + u32 a + u32 b:
/// copy = (base offset, length), literal = (length, 0) followed by the bytes.
/// The encoder finds matching 64-byte blocks of the base; good enough to make a delta much
/// smaller than the image and to read the base by random access.
/// </summary>
public static class TestDelta
{
    private const int Block = 64;

    public static byte[] Encode(byte[] oldImage, byte[] newImage)
    {
        var index = new Dictionary<ulong, int>();
        for (var i = 0; i + Block <= oldImage.Length; i += Block) index.TryAdd(Key(oldImage, i), i);
        var ops = new MemoryStream();
        var literal = new List<byte>();
        var pos = 0;
        while (pos < newImage.Length)
        {
            if (pos + Block <= newImage.Length && index.TryGetValue(Key(newImage, pos), out var at)
                && oldImage.AsSpan(at, Block).SequenceEqual(newImage.AsSpan(pos, Block)))
            {
                FlushLiteral(ops, literal);
                var len = Block;
                while (pos + len < newImage.Length && at + len < oldImage.Length && oldImage[at + len] == newImage[pos + len]) len++;
                WriteOp(ops, 1, (uint)at, (uint)len);
                pos += len;
            }
            else
            {
                literal.Add(newImage[pos++]);
            }
        }
        FlushLiteral(ops, literal);
        return ops.ToArray();
    }

    /// <summary>Applies a delta: random-access reads of the base, sequential writes of the target.</summary>
    public static void Apply(byte[] delta, ISlotReader baseImage, Stream output)
    {
        var pos = 0;
        var buffer = new byte[256];
        while (pos < delta.Length)
        {
            if (pos + 9 > delta.Length) throw new InvalidDataException("truncated delta op");
            var kind = delta[pos];
            var a = BinaryPrimitives.ReadUInt32LittleEndian(delta.AsSpan(pos + 1));
            var b = BinaryPrimitives.ReadUInt32LittleEndian(delta.AsSpan(pos + 5));
            pos += 9;
            switch (kind)
            {
                case 1:
                    for (long done = 0; done < b;)
                    {
                        var n = (int)Math.Min(buffer.Length, b - done);
                        baseImage.Read(a + done, buffer.AsSpan(0, n));
                        output.Write(buffer, 0, n);
                        done += n;
                    }
                    break;
                case 2:
                    if (pos + a > delta.Length) throw new InvalidDataException("truncated literal");
                    output.Write(delta, pos, (int)a);
                    pos += (int)a;
                    break;
                default:
                    throw new InvalidDataException($"unknown delta op {kind}");
            }
        }
    }

    private static void FlushLiteral(MemoryStream ops, List<byte> literal)
    {
        if (literal.Count == 0) return;
        WriteOp(ops, 2, (uint)literal.Count, 0);
        ops.Write(literal.ToArray());
        literal.Clear();
    }

    private static void WriteOp(MemoryStream ops, byte kind, uint a, uint b)
    {
        Span<byte> op = stackalloc byte[9];
        op[0] = kind;
        BinaryPrimitives.WriteUInt32LittleEndian(op[1..], a);
        BinaryPrimitives.WriteUInt32LittleEndian(op[5..], b);
        ops.Write(op);
    }

    private static ulong Key(byte[] data, int at) => BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at)) ^ ((ulong)data[at + Block - 1] << 56);
}
