using System.Text;

namespace AtymSecure.Formats.Wasm;

/// <summary>
/// A bounds-checked cursor over module bytes. Every read checks the remaining length first and throws
/// <see cref="WasmFormatException"/> with the absolute offset; nothing here allocates from a count.
/// LEB128 per https://webassembly.github.io/spec/core/binary/values.html#integers
/// </summary>
internal ref struct WasmBinaryReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _bytes;
    private readonly long _baseOffset;
    private int _position;

    public WasmBinaryReader(ReadOnlySpan<byte> bytes, long baseOffset)
    {
        _bytes = bytes;
        _baseOffset = baseOffset;
        _position = 0;
    }

    public readonly int Remaining => _bytes.Length - _position;

    public readonly bool AtEnd => _position >= _bytes.Length;

    /// <summary>Absolute offset in the module of the next byte.</summary>
    public readonly long Offset => _baseOffset + _position;

    public readonly WasmFormatException Error(string reason) => new(reason, Offset);

    public byte ReadByte()
    {
        if (_position >= _bytes.Length) throw Error("unexpected end of data");
        return _bytes[_position++];
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining) throw Error($"needs {count} bytes, only {Remaining} left");
        var slice = _bytes.Slice(_position, count);
        _position += count;
        return slice;
    }

    public void Skip(int count) => ReadBytes(count);

    /// <summary>Unsigned LEB128, at most 5 bytes, unused bits of the last byte zero.</summary>
    public uint ReadU32()
    {
        var start = Offset;
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte();
            if (shift == 28 && (b & 0x70) != 0) throw new WasmFormatException("u32 LEB128 overflows 32 bits", start);
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new WasmFormatException("u32 LEB128 longer than 5 bytes", start);
    }

    /// <summary>Unsigned LEB128, at most 10 bytes, unused bits of the last byte zero.</summary>
    public ulong ReadU64()
    {
        var start = Offset;
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            if (shift == 63 && (b & 0x7E) != 0) throw new WasmFormatException("u64 LEB128 overflows 64 bits", start);
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new WasmFormatException("u64 LEB128 longer than 10 bytes", start);
    }

    /// <summary>
    /// A vector length, checked against <paramref name="limit"/> and against the bytes left (every element
    /// takes at least <paramref name="minElementBytes"/>), so a huge count fails before any work.
    /// </summary>
    public int ReadCount(string what, int limit, int minElementBytes = 1)
    {
        var start = Offset;
        var count = ReadU32();
        if (count > (uint)limit) throw new WasmFormatException($"{what} count {count} exceeds limit {limit}", start);
        if ((long)count * minElementBytes > Remaining)
            throw new WasmFormatException($"{what} count {count} does not fit in the {Remaining} bytes left", start);
        return (int)count;
    }

    /// <summary>A length-prefixed UTF-8 name. https://webassembly.github.io/spec/core/binary/values.html#names</summary>
    public string ReadName(int maxBytes)
    {
        var start = Offset;
        var length = ReadU32();
        if (length > (uint)maxBytes) throw new WasmFormatException($"name of {length} bytes exceeds limit {maxBytes}", start);
        var bytes = ReadBytes((int)length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new WasmFormatException("name is not valid UTF-8", start);
        }
    }
}
