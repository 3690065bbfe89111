using System.Buffers.Binary;
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

    /// <summary>Entries of an encoded header, as (tag, value).</summary>
    private static List<(ushort Tag, byte[] Value)> Entries(byte[] tlvs)
    {
        var result = new List<(ushort, byte[])>();
        for (var at = 0; at < tlvs.Length;)
        {
            var tag = BinaryPrimitives.ReadUInt16LittleEndian(tlvs.AsSpan(at));
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(tlvs.AsSpan(at + 2));
            result.Add((tag, tlvs.AsSpan(at + 6, length).ToArray()));
            at += 6 + length;
        }
        return result;
    }

    private static byte[] Encode(IEnumerable<(ushort Tag, byte[] Value)> entries)
    {
        using var m = new MemoryStream();
        foreach (var (tag, value) in entries)
        {
            var prefix = new byte[6];
            BinaryPrimitives.WriteUInt16LittleEndian(prefix, tag);
            BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan(2), (uint)value.Length);
            m.Write(prefix);
            m.Write(value);
        }
        return m.ToArray();
    }

    [Fact]
    public void Raw_artifact_is_the_default_and_is_not_encoded()
    {
        var header = TestBundles.Header(Payload);
        Assert.Equal(ImageFormat.RawArtifact, header.ImageFormat);
        var tlvs = BundleHeaderCodec.Encode(header);
        Assert.DoesNotContain(Entries(tlvs), e => e.Tag == 0x8014);
        Assert.Equal(ImageFormat.RawArtifact, BundleHeaderCodec.Decode(tlvs).ImageFormat);
    }

    [Fact]
    public void Container_image_format_round_trips_right_after_artifact_kind()
    {
        var tlvs = BundleHeaderCodec.Encode(ContainerImageHeader());
        var entries = Entries(tlvs);
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
        var entries = Entries(BundleHeaderCodec.Encode(TestBundles.Header(Payload)));
        entries.Add((0x8014, [0]));
        var error = Assert.Throws<BundleFormatException>(() => BundleHeaderCodec.Decode(Encode(entries)));
        Assert.Contains("ImageFormat: 0 (raw artifact) must be encoded by leaving the tag out", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 2 }, "imageFormat: unknown value 2")]
    [InlineData(new byte[] { 1, 0 }, "ImageFormat: must be 1 bytes, is 2")]
    [InlineData(new byte[0], "ImageFormat: must be 1 byte, is 0")]
    public void Bad_image_format_values_are_refused(byte[] value, string expected)
    {
        var entries = Entries(BundleHeaderCodec.Encode(TestBundles.Header(Payload, tweak: h => h with { ArtifactKind = ArtifactKind.WasmtimeNative })));
        entries.Add((0x8014, value));
        var error = Assert.Throws<BundleFormatException>(() => BundleHeaderCodec.Decode(Encode(entries)));
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
