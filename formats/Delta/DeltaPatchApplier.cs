using System.Security.Cryptography;
using AtymSecure.Primitives;
using AtymSecure.Formats.Delta.SeqDiff;
using AtymSecure.Formats.Delta.Zstd;

namespace AtymSecure.Formats.Delta;

/// <summary>
/// One-shot application of a delta patch of either codec: checks the old image against the
/// header's size and SHA-256 first, decodes, and checks the new image's SHA-256 on the way out.
/// Devices that must survive power cuts drive <see cref="SeqDiffDecoder"/> directly instead.
/// </summary>
public static class DeltaPatchApplier
{
    /// <summary>Reads and validates the header of a patch held in a source.</summary>
    public static DeltaPatchHeader ReadHeader(IRandomAccessSource patch, DeltaLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(patch);
        if (patch.Length < DeltaPatchHeader.Size)
        {
            throw new DeltaFormatException($"patch is {patch.Length} bytes, shorter than the {DeltaPatchHeader.Size}-byte header", -1);
        }

        Span<byte> bytes = stackalloc byte[DeltaPatchHeader.Size];
        patch.Read(0, bytes);
        var header = DeltaPatchHeader.Parse(bytes, limits);
        if (patch.Length != DeltaPatchHeader.Size + header.BodyLength)
        {
            throw new DeltaFormatException(
                $"patch is {patch.Length} bytes, header promises {DeltaPatchHeader.Size + header.BodyLength}", 88);
        }

        return header;
    }

    /// <summary>Applies <paramref name="patch"/> to <paramref name="old"/>, writing the verified new image to <paramref name="sink"/>.</summary>
    public static DeltaPatchHeader Apply(IRandomAccessSource patch, IRandomAccessSource old, IDeltaSink sink, DeltaLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(sink);
        var header = ReadHeader(patch, limits);
        VerifyImage(old, header.OldSize, header.OldSha256, "old (base)");
        using var hashing = new HashingSink(sink);
        switch (header.Codec)
        {
            case DeltaCodec.ZstdPrefix:
                ZstdPrefixDecoder.Decode(header, patch, old, hashing);
                break;
            case DeltaCodec.SeqDiff:
                var decoder = new SeqDiffDecoder(header);
                while (decoder.DecodeNextBlock(old, patch, hashing))
                {
                }

                break;
            default:
                throw new DeltaFormatException($"unknown codec {header.Codec}", 5);
        }

        if (hashing.Written != header.NewSize || hashing.Finish() != header.NewSha256)
        {
            throw new DeltaMismatchException("reconstructed image does not match the target SHA-256 in the patch header");
        }

        return header;
    }

    /// <summary>Applies a patch held in memory and returns the verified new image.</summary>
    public static byte[] Apply(ReadOnlyMemory<byte> patch, ReadOnlyMemory<byte> old, DeltaLimits? limits = null)
    {
        var source = new MemorySource(patch);
        var header = ReadHeader(source, limits);
        var oldSource = new MemorySource(old);
        VerifyImage(oldSource, header.OldSize, header.OldSha256, "old (base)");
        var sink = new MemorySink(checked((int)header.NewSize));
        Apply(source, oldSource, sink, limits);
        return sink.ToArray();
    }

    /// <summary>Checks size and SHA-256 of an image in a slot (base before decoding, target after a resumed decode).</summary>
    public static void VerifyImage(IRandomAccessSource image, long size, Digest sha256, string what)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Length != size)
        {
            throw new DeltaMismatchException($"{what} image is {image.Length} bytes, the patch expects {size}");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[1024];
        for (long at = 0; at < size; at += buffer.Length)
        {
            var part = buffer[..(int)Math.Min(buffer.Length, size - at)];
            image.Read(at, part);
            hash.AppendData(part);
        }

        if (Digest.FromSha256(hash.GetHashAndReset()) != sha256)
        {
            throw new DeltaMismatchException($"{what} image SHA-256 differs from the one the patch was made for");
        }
    }

    /// <summary>Hashes everything written, in order; the one-shot path never rewinds.</summary>
    private sealed class HashingSink(IDeltaSink inner) : IDeltaSink, IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public long Written { get; private set; }

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            if (offset != Written)
            {
                throw new InvalidOperationException($"non-sequential write at {offset}, expected {Written}");
            }

            inner.Write(offset, data);
            _hash.AppendData(data);
            Written += data.Length;
        }

        public Digest Finish() => Digest.FromSha256(_hash.GetHashAndReset());

        public void Dispose() => _hash.Dispose();
    }
}
