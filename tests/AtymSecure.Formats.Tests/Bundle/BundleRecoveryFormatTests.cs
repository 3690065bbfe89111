using System.Buffers.Binary;
using AtymSecure.Formats.Bundle;
using CsCheck;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>
/// Bundle format 2: format 1 plus the Recovery tag (docs/bundle-format.md#format-versions). A header is written in the
/// lowest version that holds it, and each header has exactly one encoding.
/// </summary>
public class BundleRecoveryFormatTests
{
    private static readonly TestSigner Signer = TestSigner.Ecdsa();
    private static readonly byte[] Payload = TestBundles.Payload(1500);
    private static readonly BundleTrustAnchors Recovery = BundleTrustAnchors.Of(TrustedBundleKey.Recovery(Signer.Key), TrustedBundleKey.Compiler(TestSigner.Ed25519().Key));

    private static BundleHeader RecoveryHeader() => TestBundles.Header(Payload, tweak: h => h with { ArtifactKind = ArtifactKind.Wasm, Recovery = true });

    private static ushort FrameVersion(byte[] bundle) => BinaryPrimitives.ReadUInt16LittleEndian(bundle.AsSpan(8));

    [Fact]
    public void A_recovery_bundle_is_format_2_and_every_other_bundle_stays_format_1()
    {
        var recovery = TestBundles.Write(RecoveryHeader(), Payload, Signer);
        Assert.Equal(2, FrameVersion(recovery));
        Assert.Equal(1, FrameVersion(TestBundles.Write(TestBundles.Header(Payload), Payload, Signer)));
        using var stream = new MemoryStream(recovery);
        var envelope = BundleEnvelope.Read(stream);
        Assert.True(envelope.Header.Recovery);
        Assert.Equal(RecoveryHeader(), envelope.Header);
        Assert.Equal(Payload, TestBundles.ReadVerified(recovery, Recovery));
    }

    [Fact]
    public void A_recovery_tag_in_a_format_1_frame_and_a_format_2_frame_without_it_are_refused()
    {
        var recovery = TestBundles.Write(RecoveryHeader(), Payload, Signer);
        recovery[8] = 1;
        Assert.Contains("recovery bundle is format 2", Assert.Throws<BundleFormatException>(() => BundleEnvelope.Read(new MemoryStream(recovery))).Message, StringComparison.Ordinal);
        var ordinary = TestBundles.Write(TestBundles.Header(Payload), Payload, Signer);
        ordinary[8] = 2;
        Assert.Contains("written as format 1", Assert.Throws<BundleFormatException>(() => BundleEnvelope.Read(new MemoryStream(ordinary))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 2 })]
    [InlineData(new byte[] { 1, 1 })]
    public void A_recovery_tag_whose_value_is_not_the_byte_1_is_malformed(byte[] value)
    {
        var entries = HeaderTlvs.Entries(BundleHeaderCodec.Encode(RecoveryHeader()))
            .Select(e => e.Tag == (ushort)BundleTag.Recovery ? (e.Tag, value) : e);
        var error = Assert.Throws<BundleFormatException>(() => BundleHeaderCodec.Decode(HeaderTlvs.Encode(entries)));
        Assert.Contains(error.Problems, p => p.Code == ReasonCodes.BundleMalformed && p.Path == nameof(BundleTag.Recovery));
    }

    [Fact]
    public void Mutated_recovery_bundles_fail_only_with_typed_errors()
    {
        var valid = TestBundles.Write(RecoveryHeader(), Payload, Signer);
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Array[1, 6].Sample(edits =>
        {
            var copy = (byte[])valid.Clone();
            foreach (var (at, value) in edits) copy[at] = value;
            try
            {
                Assert.Equal(Payload, TestBundles.ReadVerified(copy, Recovery));
            }
            catch (Exception e) when (e is BundleFormatException or BundleVerificationException)
            {
            }
        }, iter: 2000);
    }
}
