using AtymSecure.Formats.Bundle;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>Every check a device makes before writing, each failing for its own specific reason.</summary>
public class BundleRejectionTests
{
    private static readonly TestSigner Signer = TestSigner.Ecdsa();
    private static readonly byte[] Payload = TestBundles.Payload(5000);

    private static BundleRejection Reject(byte[] bundle, BundleExpectations? expect = null, TestSigner? trusted = null) =>
        Assert.Throws<BundleVerificationException>(() => TestBundles.ReadVerified(bundle, [(trusted ?? Signer).Key], expect)).Reason;

    private static byte[] Valid(Func<BundleHeader, BundleHeader>? tweak = null) =>
        TestBundles.Write(TestBundles.Header(Payload, 1024, tweak), Payload, Signer);

    [Fact]
    public void Untrusted_key_is_refused() => Assert.Equal(BundleRejection.NoTrustedSignature, Reject(Valid(), trusted: TestSigner.Ecdsa()));

    [Fact]
    public async Task Any_flipped_header_byte_breaks_the_signature_or_the_format()
    {
        var bundle = Valid();
        using var s = new MemoryStream(bundle);
        var envelope = await BundleEnvelope.ReadAsync(s);
        for (var i = 0; i < envelope.SignedPrefix.Length; i++)
        {
            var copy = (byte[])bundle.Clone();
            copy[i] ^= 0x01;
            var e = Record.Exception(() => TestBundles.ReadVerified(copy, [Signer.Key]));
            Assert.True(e is BundleFormatException || e is BundleVerificationException { Reason: BundleRejection.NoTrustedSignature },
                $"byte {i}: {e?.GetType().Name ?? "accepted"}");
        }
    }

    [Fact]
    public void Tampered_payload_chunk_is_caught_before_release()
    {
        var bundle = Valid();
        bundle[^100] ^= 0x80;
        Assert.Equal(BundleRejection.ChunkHashMismatch, Reject(bundle));
    }

    [Fact]
    public void Truncated_payload_is_reported()
    {
        var bundle = Valid();
        Assert.Equal(BundleRejection.Truncated, Reject(bundle[..^10]));
    }

    [Fact]
    public void Expired_bundle_is_refused() =>
        Assert.Equal(BundleRejection.Expired, Reject(Valid(), TestBundles.Expect(e => e with { Now = TestBundles.Now.AddDays(31) })));

    [Fact]
    public void Other_device_class_is_refused() =>
        Assert.Equal(BundleRejection.WrongDeviceClass, Reject(Valid(), TestBundles.Expect(e => e with { DeviceClass = "mcu-riscv32" })));

    [Fact]
    public void Lower_security_counter_is_refused() =>
        Assert.Equal(BundleRejection.CounterTooLow, Reject(Valid(), TestBundles.Expect(e => e with { MinimumSecurityCounter = 8 })));

    [Fact]
    public void Image_larger_than_the_slot_is_refused() =>
        Assert.Equal(BundleRejection.TooLarge, Reject(Valid(), TestBundles.Expect(e => e with { SlotCapacity = 4096 })));

    [Fact]
    public void Bad_magic_and_version_are_format_errors()
    {
        var bundle = Valid();
        var badMagic = (byte[])bundle.Clone();
        badMagic[0] = (byte)'X';
        Assert.Contains("magic", Assert.Throws<BundleFormatException>(() => TestBundles.ReadVerified(badMagic, [Signer.Key])).Message);
        var badVersion = (byte[])bundle.Clone();
        badVersion[8] = 2;
        Assert.Contains("version 2", Assert.Throws<BundleFormatException>(() => TestBundles.ReadVerified(badVersion, [Signer.Key])).Message);
    }

    [Fact]
    public async Task Truncation_anywhere_in_the_prefix_is_a_format_error()
    {
        var bundle = Valid();
        using var s = new MemoryStream(bundle);
        var envelope = await BundleEnvelope.ReadAsync(s);
        for (var cut = 0; cut < envelope.PayloadOffset; cut += 7)
            Assert.Throws<BundleFormatException>(() => TestBundles.ReadVerified(bundle[..cut], [Signer.Key]));
    }

    [Fact]
    public void Validate_reports_every_problem_at_once()
    {
        var header = TestBundles.Header(Payload) with
        {
            ContainerName = "Bad Name", TargetDigest = new byte[3], ChunkSize = 1000, PayloadKind = PayloadKind.Delta, ExpiresUnixSeconds = 0,
        };
        var errors = header.Validate();
        Assert.Contains(errors, e => e.StartsWith("containerName", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("targetDigest", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("chunkSize", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("baseDigest", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("expires", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_critical_tag_is_refused_and_unknown_optional_tag_is_skipped()
    {
        var tlvs = BundleHeaderCodec.Encode(TestBundles.Header(Payload, 1024));
        byte[] With(ushort tag) => [.. tlvs, (byte)tag, (byte)(tag >> 8), 1, 0, 0, 0, 0x42];
        Assert.Contains("critical", Assert.Throws<BundleFormatException>(() => BundleHeaderCodec.Decode(With(0x8F00))).Message);
        Assert.Equal("sensor-filter", BundleHeaderCodec.Decode(With(0x0F00)).ContainerName);
    }

    [Fact]
    public void Duplicate_tag_is_refused()
    {
        var tlvs = BundleHeaderCodec.Encode(TestBundles.Header(Payload, 1024));
        byte[] twice = [.. tlvs, .. tlvs.AsSpan(0, 6 + tlvs[2])];
        Assert.Contains("twice", Assert.Throws<BundleFormatException>(() => BundleHeaderCodec.Decode(twice)).Message);
    }

    [Fact]
    public void Oversized_header_length_is_refused_before_reading_it()
    {
        var bundle = Valid();
        BitConverter.GetBytes(BundleLayout.MaxHeaderBytes + 1).CopyTo(bundle, 12);
        Assert.Contains("header length", Assert.Throws<BundleFormatException>(() => TestBundles.ReadVerified(bundle, [Signer.Key])).Message);
    }
}
