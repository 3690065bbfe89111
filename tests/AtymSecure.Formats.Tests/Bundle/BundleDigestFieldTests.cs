using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>
/// TargetDigest and BaseDigest are <see cref="Digest"/> values in code and 32 raw bytes on the wire: the golden
/// bundles keep their bytes, and a digest TLV of another length is a header problem, not an exception from the digest type.
/// </summary>
public class BundleDigestFieldTests
{
    private static readonly byte[] Payload = TestBundles.Payload(2000);
    private const ushort TargetDigestTag = (ushort)BundleTag.TargetDigest;
    private const ushort BaseDigestTag = (ushort)BundleTag.BaseDigest;

    private static string GoldenDir => Path.Combine(Path.GetDirectoryName(GoldenBundleTests.SourceFile())!, "Golden", "v1");

    [Theory]
    [InlineData("full-ecdsa.bundle")]
    [InlineData("delta-ed25519.bundle")]
    [InlineData("container-image-ecdsa.bundle")]
    [InlineData("bad-signature.bundle")]
    [InlineData("wrong-base.bundle")]
    [InlineData("tampered-chunk.bundle")]
    [InlineData("oversized.bundle")]
    public async Task Golden_v1_headers_hold_their_raw_digest_bytes_and_re_encode_byte_identically(string file)
    {
        await using var stream = File.OpenRead(Path.Combine(GoldenDir, file));
        var envelope = await BundleEnvelope.ReadAsync(stream);
        var entries = HeaderTlvs.Entries(envelope.SignedPrefix[BundleLayout.PrefixBytes..]);
        Assert.Equal(Digest.FromSha256(entries.Single(e => e.Tag == TargetDigestTag).Value), envelope.Header.TargetDigest);
        var rawBase = entries.Where(e => e.Tag == BaseDigestTag).Select(e => e.Value).SingleOrDefault();
        Assert.Equal(rawBase is null ? null : Digest.FromSha256(rawBase), envelope.Header.BaseDigest);
        Assert.Equal(envelope.SignedPrefix, BundleFrame.EncodeSignedPrefix(envelope.Header));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void A_target_digest_that_is_not_32_bytes_is_a_targetDigest_problem(int length)
    {
        var entries = HeaderTlvs.Entries(BundleHeaderCodec.Encode(TestBundles.Header(Payload)))
            .Select(e => e.Tag == TargetDigestTag ? (e.Tag, new byte[length]) : e);
        var error = Assert.Throws<BundleFormatException>(() => BundleHeaderCodec.Decode(HeaderTlvs.Encode(entries)));
        var problem = Assert.Single(error.Problems);
        Assert.Equal(("targetDigest", "must be 32 bytes (SHA-256)"), (problem.Path, problem.Message));
    }

    [Theory]
    [InlineData(PayloadKind.Delta, "baseDigest", "a delta needs the 32-byte SHA-256 of its base")]
    [InlineData(PayloadKind.Full, "baseDigest/baseSize", "only allowed for a delta payload")]
    public void A_base_digest_that_is_not_32_bytes_is_refused(PayloadKind kind, string path, string message)
    {
        var header = kind == PayloadKind.Delta
            ? TestBundles.Header(Payload, tweak: h => h with
            {
                PayloadKind = PayloadKind.Delta, Codec = PayloadCodec.SeqDiff, BaseDigest = Digest.Compute("base"u8), BaseSize = 4,
            })
            : TestBundles.Header(Payload);
        var entries = HeaderTlvs.Entries(BundleHeaderCodec.Encode(header)).Where(e => e.Tag != BaseDigestTag).ToList();
        entries.Add((BaseDigestTag, new byte[31]));
        var error = Assert.Throws<BundleFormatException>(() => BundleHeaderCodec.Decode(HeaderTlvs.Encode(entries)));
        Assert.Contains(error.Problems, p => p.Path == path && p.Message == message);
        Assert.All(error.Problems, p => Assert.Equal(ReasonCodes.BundleMalformed, p.Code));
    }

    [Fact]
    public void Headers_compare_their_digests_by_value()
    {
        var header = TestBundles.Header(Payload);
        var copy = header with { TargetDigest = Digest.FromSha256(header.TargetDigest.ToBytes()) };
        Assert.Equal(header, copy);
        Assert.NotEqual(header, header with { TargetDigest = Digest.Compute("other"u8) });
    }
}
