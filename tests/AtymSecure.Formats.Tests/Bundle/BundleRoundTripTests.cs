using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Bundle;

public class BundleRoundTripTests
{
    [Theory]
    [InlineData(1, 512)]
    [InlineData(511, 512)]
    [InlineData(512, 512)]
    [InlineData(70_001, 4096)]
    public void Full_bundle_round_trips_with_ecdsa(int length, uint chunkSize)
    {
        var signer = TestSigner.Ecdsa();
        var payload = TestBundles.Payload(length);
        var bundle = TestBundles.Write(TestBundles.Header(payload, chunkSize), payload, signer);
        Assert.Equal(payload, TestBundles.ReadVerified(bundle, [signer.Key]));
    }

    [Fact]
    public void Ed25519_signature_verifies_and_second_signature_is_enough()
    {
        var ed = TestSigner.Ed25519();
        var unknown = TestSigner.Ecdsa();
        var payload = TestBundles.Payload(3000);
        var bundle = TestBundles.Write(TestBundles.Header(payload), payload, unknown, ed);
        Assert.Equal(payload, TestBundles.ReadVerified(bundle, [ed.Key]));
    }

    [Fact]
    public void Header_encoding_is_canonical()
    {
        var payload = TestBundles.Payload(2048);
        var header = TestBundles.Header(payload);
        var bytes = BundleHeaderCodec.Encode(header);
        var decoded = BundleHeaderCodec.Decode(bytes);
        Assert.Equal(bytes, BundleHeaderCodec.Encode(decoded));
        Assert.Equal(header, decoded);
    }

    [Fact]
    public async Task Payload_resumes_from_any_chunk()
    {
        var signer = TestSigner.Ecdsa();
        var payload = TestBundles.Payload(10_000);
        var bundle = TestBundles.Write(TestBundles.Header(payload, 1024), payload, signer);
        using var head = new MemoryStream(bundle);
        var verified = BundleVerifier.Verify(await BundleEnvelope.ReadAsync(head), TestBundles.Compilers([signer.Key]), TestBundles.Expect());
        for (var chunk = 0; chunk < verified.Header.ChunkCount; chunk++)
        {
            // As after an HTTP Range request from the chunk's offset.
            using var rest = new MemoryStream(bundle, (int)verified.ChunkOffset(chunk), bundle.Length - (int)verified.ChunkOffset(chunk));
            using var copy = new MemoryStream();
            verified.OpenPayload(rest, chunk).CopyTo(copy);
            Assert.Equal(payload.AsSpan(chunk * 1024).ToArray(), copy.ToArray());
        }
    }

    [Fact]
    public void Delta_bundle_needs_the_matching_base()
    {
        var signer = TestSigner.Ecdsa();
        var payload = TestBundles.Payload(900);
        var baseDigest = Digest.Compute(TestBundles.Payload(800, seed: 9));
        var header = TestBundles.Header(payload, tweak: h => h with
        {
            PayloadKind = PayloadKind.Delta, Codec = PayloadCodec.SeqDiff, BaseDigest = baseDigest, BaseSize = 800, TargetSize = 1000,
        });
        var bundle = TestBundles.Write(header, payload, signer);
        Assert.Equal(payload, TestBundles.ReadVerified(bundle, [signer.Key], TestBundles.Expect(e => e with { InstalledDigest = baseDigest })));
        var error = Assert.Throws<BundleVerificationException>(() =>
            TestBundles.ReadVerified(bundle, [signer.Key], TestBundles.Expect(e => e with { InstalledDigest = Digest.FromSha256(new byte[32]) })));
        Assert.Equal(ReasonCodes.DeltaBaseMismatch, Assert.Single(error.Problems).Code);
    }
}
