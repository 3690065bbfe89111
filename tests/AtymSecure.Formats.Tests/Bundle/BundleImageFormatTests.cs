using AtymSecure.Formats.Bundle;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>The optional critical ImageFormat TLV (0x8014), docs/bundle-format.md#header-tlvs.</summary>
public class BundleImageFormatTests
{
    private static readonly byte[] Payload = TestBundles.Payload(2000);

    private static BundleHeader ContainerImageHeader() => TestBundles.Header(Payload, tweak: h => h with
    {
        DeviceClass = "linux-x86_64", TargetTriple = "x86_64-unknown-linux-gnu",
        ArtifactKind = ArtifactKind.WasmtimeNative, ImageFormat = ImageFormat.ContainerImageV1,
    });

    [Fact]
    public void Raw_artifact_is_the_default_and_is_not_encoded()
    {
        var header = TestBundles.Header(Payload);
        Assert.Equal(ImageFormat.RawArtifact, header.ImageFormat);
        var tlvs = BundleHeaderCodec.Encode(header);
        Assert.DoesNotContain(HeaderTlvs.Entries(tlvs), e => e.Tag == 0x8014);
        Assert.Equal(ImageFormat.RawArtifact, BundleHeaderCodec.Decode(tlvs).ImageFormat);
    }

    [Fact]
    public void Container_image_format_round_trips_right_after_artifact_kind()
    {
        var tlvs = BundleHeaderCodec.Encode(ContainerImageHeader());
        var entries = HeaderTlvs.Entries(tlvs);
        var at = entries.FindIndex(e => e.Tag == 0x8014);
        Assert.Equal((ushort)BundleTag.ArtifactKind, entries[at - 1].Tag);
        Assert.Equal([1], entries[at].Value);
        Assert.True(BundleTags.IsCritical(0x8014));
        var decoded = BundleHeaderCodec.Decode(tlvs);
        Assert.Equal(ImageFormat.ContainerImageV1, decoded.ImageFormat);
        Assert.Equal(ArtifactKind.WasmtimeNative, decoded.ArtifactKind);
        Assert.Equal(tlvs, BundleHeaderCodec.Encode(decoded));
    }

    [Fact]
    public async Task Container_image_bundle_verifies_end_to_end()
    {
        var signer = TestSigner.Ed25519();
        var bundle = TestBundles.Write(ContainerImageHeader(), Payload, signer);
        using var stream = new MemoryStream(bundle);
        var envelope = await BundleEnvelope.ReadAsync(stream);
        Assert.Equal(ImageFormat.ContainerImageV1, envelope.Header.ImageFormat);
        Assert.Equal(Payload, TestBundles.ReadVerified(bundle, [signer.Key], TestBundles.Expect(e => e with { DeviceClass = "linux-x86_64" })));
    }

    [Fact]
    public void Explicit_zero_is_refused_as_non_canonical()
    {
        var entries = HeaderTlvs.Entries(BundleHeaderCodec.Encode(TestBundles.Header(Payload)));
        entries.Add((0x8014, [0]));
        var error = Assert.Throws<BundleFormatException>(() => BundleHeaderCodec.Decode(HeaderTlvs.Encode(entries)));
        Assert.Contains("ImageFormat: 0 (raw artifact) must be encoded by leaving the tag out", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 2 }, "imageFormat: unknown value 2")]
    [InlineData(new byte[] { 1, 0 }, "ImageFormat: must be 1 bytes, is 2")]
    [InlineData(new byte[0], "ImageFormat: must be 1 byte, is 0")]
    public void Bad_image_format_values_are_refused(byte[] value, string expected)
    {
        var entries = HeaderTlvs.Entries(BundleHeaderCodec.Encode(TestBundles.Header(Payload, tweak: h => h with { ArtifactKind = ArtifactKind.WasmtimeNative })));
        entries.Add((0x8014, value));
        var error = Assert.Throws<BundleFormatException>(() => BundleHeaderCodec.Decode(HeaderTlvs.Encode(entries)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Container_image_of_a_wasm2c_object_is_refused()
    {
        var header = TestBundles.Header(Payload, tweak: h => h with { ImageFormat = ImageFormat.ContainerImageV1 });
        Assert.Equal(ArtifactKind.Wasm2cObject, header.ArtifactKind);
        Assert.Contains("imageFormat: a container image cannot hold a wasm2c object (MCU code is linked into firmware; use a raw artifact)", header.Validate().Select(p => p.ToString()));
        Assert.Throws<BundleFormatException>(() => BundleHeaderCodec.Encode(header));
    }

    [Fact]
    public async Task Golden_v1_bundles_from_before_the_tag_re_encode_byte_identically()
    {
        var dir = Path.Combine(Path.GetDirectoryName(GoldenBundleTests.SourceFile())!, "Golden", "v1");
        foreach (var file in new[] { "full-ecdsa.bundle", "delta-ed25519.bundle" })
        {
            await using var stream = File.OpenRead(Path.Combine(dir, file));
            var envelope = await BundleEnvelope.ReadAsync(stream);
            Assert.Equal(ImageFormat.RawArtifact, envelope.Header.ImageFormat);
            Assert.Equal(envelope.SignedPrefix, BundleFrame.EncodeSignedPrefix(envelope.Header));
        }
    }
}
