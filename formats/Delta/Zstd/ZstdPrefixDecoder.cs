using ZstdSharp;
using ZstdSharp.Unsafe;

namespace AtymSecure.Formats.Delta.Zstd;

/// <summary>
/// Linux-class decoder: the body is one zstd frame compressed with the whole old image as a
/// raw-content prefix (what `zstd --patch-from` does). Needs the old image in RAM plus a window;
/// meant for devices with megabytes of RAM, not MCUs. See formats/Delta/README.md#zstdprefix.
/// </summary>
public static class ZstdPrefixDecoder
{
    /// <summary>First four bytes of a zstd dictionary; an old image starting with them is not used as prefix (mode 1).</summary>
    public static ReadOnlySpan<byte> DictionaryMagic => [0x37, 0xA4, 0x30, 0xEC];

    private const int ChunkSize = 64 * 1024;

    public static void Decode(DeltaPatchHeader header, IRandomAccessSource patch, IRandomAccessSource old, IDeltaSink sink)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(sink);
        if (header.Codec != DeltaCodec.ZstdPrefix)
        {
            throw new ArgumentException($"header codec is {header.Codec}, not ZstdPrefix", nameof(header));
        }

        if (old.Length != header.OldSize)
        {
            throw new DeltaMismatchException($"old image is {old.Length} bytes, the patch expects {header.OldSize}");
        }

        if (patch.Length < DeltaPatchHeader.Size + header.BodyLength)
        {
            throw new DeltaFormatException($"patch is {patch.Length} bytes, header promises {DeltaPatchHeader.Size + header.BodyLength}", -1);
        }

        // A genuine frame never needs a window beyond old+new, so bound the allocation by that too.
        long span = Math.Max(1024L, header.OldSize + header.NewSize);
        int neededLog = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(span - 1));
        using var decompressor = new Decompressor();
        decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, Math.Min(header.ParameterB, Math.Max(10, neededLog)));
        if (header.ParameterA == 0 && header.OldSize > 0)
        {
            var prefix = new byte[header.OldSize];
            old.Read(0, prefix);
            if (prefix.AsSpan().StartsWith(DictionaryMagic))
            {
                throw new DeltaFormatException("prefix mode 0 with an old image that starts with the zstd dictionary magic", 6);
            }

            decompressor.LoadDictionary(prefix);
        }

        using var body = new SourceStream(patch, DeltaPatchHeader.Size, header.BodyLength);
        using var frame = new DecompressionStream(body, decompressor, ChunkSize, checkEndOfStream: true, leaveOpen: true);
        var chunk = new byte[ChunkSize];
        long written = 0;
        try
        {
            while (true)
            {
                int read = frame.Read(chunk, 0, chunk.Length);
                if (read == 0)
                {
                    break;
                }

                if (written + read > header.NewSize)
                {
                    throw new DeltaFormatException($"zstd frame decodes to more than the {header.NewSize} bytes the header promises", -1);
                }

                sink.Write(written, chunk.AsSpan(0, read));
                written += read;
            }
        }
        catch (ZstdException e)
        {
            throw new DeltaFormatException($"zstd frame is corrupt: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new DeltaFormatException($"zstd frame is truncated: {e.Message}", e);
        }

        if (written != header.NewSize)
        {
            throw new DeltaFormatException($"zstd frame decodes to {written} bytes, header promises {header.NewSize}", -1);
        }

        if (body.Remaining != 0)
        {
            throw new DeltaFormatException($"{body.Remaining} bytes after the zstd frame", -1);
        }
    }

    /// <summary>Read-only stream over a range of a random-access source.</summary>
    private sealed class SourceStream(IRandomAccessSource source, long start, long length) : Stream
    {
        private long _position;

        public long Remaining => length - _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, Remaining);
            if (n > 0)
            {
                source.Read(start + _position, buffer[..n]);
                _position += n;
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
