using System.Runtime.CompilerServices;
using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>
/// The push front of the envelope parser (a download feeds it what it writes): on any bytes, fed in any pieces, it
/// agrees with <see cref="BundleEnvelope.Read"/> — the same envelope, the same problems, and "not yet" exactly where
/// the stream reader says truncated.
/// </summary>
public class BundleEnvelopeFeedTests
{
    private static readonly TestSigner Signer = TestSigner.Ecdsa();
    private static readonly byte[] Payload = TestBundles.Payload(3000);
    private static readonly byte[] Valid = TestBundles.Write(TestBundles.Header(Payload, 512), Payload, Signer);

    private static string GoldenDir([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "Golden", "v1");

    public static TheoryData<string> GoldenFiles() => [.. Directory.GetFiles(GoldenDir(), "*.bundle").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void A_golden_bundle_fed_one_byte_at_a_time_gives_what_the_stream_reader_gives(string file)
    {
        AssertAgrees(File.ReadAllBytes(Path.Combine(GoldenDir(), file)), piece: 1);
    }

    [Fact]
    public void Bytes_after_the_envelope_are_left_to_the_caller()
    {
        var feed = new BundleEnvelopeFeed();

        var used = feed.Feed(Valid);

        Assert.NotNull(feed.Result);
        Assert.Equal(feed.Result.PayloadOffset, used);
        Assert.Equal(0, feed.Feed(Valid.AsSpan(used)));
    }

    [Fact]
    public void A_header_length_over_the_limit_is_refused_from_the_frame_alone()
    {
        var frame = Valid[..BundleLayout.PrefixBytes];
        BitConverter.TryWriteBytes(frame.AsSpan(12), (uint)BundleLayout.MaxHeaderBytes + 1);

        var e = Assert.Throws<BundleFormatException>(() => new BundleEnvelopeFeed().Feed(frame));

        Assert.Equal("frame", Assert.Single(e.Problems).Path);
    }

    [Fact]
    public void Mutated_and_cut_bundles_fed_in_random_pieces_agree_with_the_stream_reader()
    {
        var mutation = Gen.Select(Gen.Int[0, Valid.Length - 1], Gen.Byte);
        Gen.Select(mutation.Array[0, 6], Gen.Int[1, 700], Gen.Int[0, Valid.Length]).Sample((edits, piece, cut) =>
        {
            var copy = Valid[..cut];
            foreach (var (at, value) in edits)
                if (at < copy.Length) copy[at] = value;

            AssertAgrees(copy, piece);
        }, iter: 2000);
    }

    private static void AssertAgrees(byte[] bytes, int piece)
    {
        var (fed, consumed, problems) = FeedAll(bytes, piece);
        var read = Read(bytes);
        if (fed is not null)
        {
            Assert.Equal(read.Envelope, fed);
            Assert.Equal(fed.PayloadOffset, consumed);
        }
        else if (problems is not null) Assert.Equal(read.Problems, problems);
        else Assert.Contains("truncated", Assert.Single(read.Problems!).Message, StringComparison.Ordinal); // the feed waits for more
    }

    /// <summary>Feeds <paramref name="bytes"/> in pieces of <paramref name="piece"/>: the envelope and how many bytes it took, or the problems.</summary>
    private static (BundleEnvelope? Envelope, long Consumed, IReadOnlyList<Problem>? Problems) FeedAll(byte[] bytes, int piece)
    {
        var feed = new BundleEnvelopeFeed();
        long consumed = 0;
        try
        {
            for (var at = 0; at < bytes.Length && feed.Result is null; at += piece)
                consumed += feed.Feed(bytes.AsSpan(at, Math.Min(piece, bytes.Length - at)));
            return (feed.Result, consumed, null);
        }
        catch (BundleFormatException e)
        {
            return (null, consumed, e.Problems);
        }
    }

    private static (BundleEnvelope? Envelope, IReadOnlyList<Problem>? Problems) Read(byte[] bytes)
    {
        try { return (BundleEnvelope.Read(new MemoryStream(bytes)), null); }
        catch (BundleFormatException e) { return (null, e.Problems); }
    }
}
