using AtymSecure.OtaReleases.Bundles;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.OtaReleases.Tests.Bundles;

/// <summary>
/// The digest check both bundle stores read through (<see cref="CheckedBundleStream"/>), as a property: over random
/// contents, damage (one byte flipped, cut short, extended), read sizes and range starts, a whole read gives exactly the
/// bundle's bytes or throws <see cref="BundleIntegrityException"/> — never wrong bytes to the end — and a range read gives
/// the stored tail.
/// </summary>
public sealed class CheckedBundleStreamTests
{
    private enum Harm { None, Flip, Short, Long }

    private static byte[] Stored(byte[] bundle, Harm harm, int at) => harm switch
    {
        Harm.Flip => [.. bundle[..at], (byte)(bundle[at] ^ 0x01), .. bundle[(at + 1)..]],
        Harm.Short => bundle[..at],
        Harm.Long => [.. bundle, 0],
        _ => bundle,
    };

    private static byte[] ReadAll(Stream stream, int chunk)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[chunk];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) copy.Write(buffer, 0, read);
        return copy.ToArray();
    }

    [Fact]
    public void A_whole_read_gives_the_bundle_or_an_integrity_error_and_a_range_gives_the_stored_tail()
    {
        Gen.Select(Gen.Byte.Array[1, 4000], Gen.Enum<Harm>(), Gen.Int[0, 3999], Gen.Int[1, 5000], Gen.Int[1, 3999]).Sample((bundle, harm, at, chunk, rangeStart) =>
        {
            at %= bundle.Length;
            var hex = Digest.Compute(bundle).Encoded;
            var stored = Stored(bundle, harm, at);
            var intact = stored.AsSpan().SequenceEqual(bundle);
            // The stores announce the stored object's length (a HEAD, a file's size): the hash decides.
            using (var whole = new CheckedBundleStream(new MemoryStream(stored), hex, stored.Length))
            {
                if (intact) Assert.Equal(bundle, ReadAll(whole, chunk));
                else Assert.Throws<BundleIntegrityException>(() => ReadAll(whole, chunk));
            }
            if (stored.Length > 1)
            {
                var start = rangeStart % stored.Length;
                if (start == 0) start = 1;
                using var range = new CheckedBundleStream(new MemoryStream(stored), hex, stored.Length);
                range.Seek(start, SeekOrigin.Begin);
                Assert.Equal(stored[start..], ReadAll(range, chunk));
            }
        }, iter: 300);
    }

    [Fact]
    public void A_stream_that_ends_before_its_announced_length_is_refused()
    {
        var bundle = new byte[100];
        using var stream = new CheckedBundleStream(new MemoryStream(bundle[..60]), Digest.Compute(bundle).Encoded, bundle.Length);
        var e = Assert.Throws<BundleIntegrityException>(() => ReadAll(stream, 16));
        Assert.Contains("ended after 60 of its 100 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void It_cannot_be_positioned_after_the_first_read()
    {
        var bundle = new byte[100];
        using var stream = new CheckedBundleStream(new MemoryStream(bundle), Digest.Compute(bundle).Encoded, bundle.Length);
        stream.ReadByte();
        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
    }
}
