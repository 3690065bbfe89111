using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>Every check a device makes before writing, each failing for its own specific reason.</summary>
public class BundleRejectionTests
{
    private static readonly TestSigner Signer = TestSigner.Ecdsa();
    private static readonly byte[] Payload = TestBundles.Payload(5000);

    /// <summary>The one reason code a refused bundle is refused with.</summary>
    private static string Reject(byte[] bundle, BundleExpectations? expect = null, TestSigner? trusted = null) =>
        Assert.Single(Assert.Throws<BundleVerificationException>(() => TestBundles.ReadVerified(bundle, [(trusted ?? Signer).Key], expect)).Problems).Code;

    private static byte[] Valid(Func<BundleHeader, BundleHeader>? tweak = null) =>
        TestBundles.Write(TestBundles.Header(Payload, 1024, tweak), Payload, Signer);

    [Fact]
    public void Untrusted_key_is_refused() => Assert.Equal(ReasonCodes.UntrustedSigner, Reject(Valid(), trusted: TestSigner.Ecdsa()));

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
            Assert.True(e is BundleFormatException || e is BundleVerificationException v && v.Has(ReasonCodes.UntrustedSigner),
                $"byte {i}: {e?.GetType().Name ?? "accepted"}");
        }
    }

    [Fact]
    public void Tampered_payload_chunk_is_caught_before_release()
    {
        var bundle = Valid();
        bundle[^100] ^= 0x80;
        Assert.Equal(ReasonCodes.ChunkMismatch, Reject(bundle));
    }

    [Fact]
    public void Truncated_payload_is_reported()
    {
        var bundle = Valid();
        Assert.Equal(ReasonCodes.Truncated, Reject(bundle[..^10]));
    }

    [Fact]
    public void Expired_bundle_is_refused() =>
        Assert.Equal(ReasonCodes.BundleExpired, Reject(Valid(), TestBundles.Expect(e => e with { Now = TestBundles.Now.AddDays(31) })));

    [Fact]
    public void Other_device_class_is_refused() =>
        Assert.Equal(ReasonCodes.WrongClass, Reject(Valid(), TestBundles.Expect(e => e with { DeviceClass = "mcu-riscv32" })));

    [Fact]
    public void Lower_security_counter_is_refused() =>
        Assert.Equal(ReasonCodes.CounterRollback, Reject(Valid(), TestBundles.Expect(e => e with { MinimumSecurityCounter = 8 })));

    [Fact]
    public void Image_larger_than_the_slot_is_refused() =>
        Assert.Equal(ReasonCodes.TooLarge, Reject(Valid(), TestBundles.Expect(e => e with { SlotCapacity = 4096 })));

    [Fact]
    public void Every_failed_check_of_a_signed_bundle_is_reported_once()
    {
        var problems = Assert.Throws<BundleVerificationException>(() => TestBundles.ReadVerified(Valid(), [Signer.Key], TestBundles.Expect(e => e with
        {
            Now = TestBundles.Now.AddDays(31), DeviceClass = "mcu-riscv32", MinimumSecurityCounter = 8, SlotCapacity = 4096,
        }))).Problems;
        Assert.Equal(
            [ReasonCodes.BundleExpired, ReasonCodes.WrongClass, ReasonCodes.TooLarge, ReasonCodes.CounterRollback],
            problems.Select(p => p.Code));
    }

    [Fact]
    public void An_unsigned_bundle_is_refused_for_its_signature_alone()
    {
        var problems = Assert.Throws<BundleVerificationException>(() => TestBundles.ReadVerified(Valid(), [TestSigner.Ecdsa().Key],
            TestBundles.Expect(e => e with { DeviceClass = "mcu-riscv32", MinimumSecurityCounter = 8 }))).Problems;
        Assert.Equal(ReasonCodes.UntrustedSigner, Assert.Single(problems).Code);
    }

    [Fact]
    public void Bad_magic_and_version_are_format_errors()
    {
        var bundle = Valid();
        var badMagic = (byte[])bundle.Clone();
        badMagic[0] = (byte)'X';
        Assert.Contains("magic", Assert.Throws<BundleFormatException>(() => TestBundles.ReadVerified(badMagic, [Signer.Key])).Message);
        var badVersion = (byte[])bundle.Clone();
        badVersion[8] = 3;
        Assert.Contains("version 3", Assert.Throws<BundleFormatException>(() => TestBundles.ReadVerified(badVersion, [Signer.Key])).Message);
    }

    [Fact]
    public async Task Truncation_anywhere_in_the_prefix_is_a_format_error_for_both_readers()
    {
        var bundle = Valid();
        var envelope = BundleEnvelope.Read(new MemoryStream(bundle));
        for (var cut = 0; cut < envelope.PayloadOffset; cut += 7)
        {
            var sync = Assert.Throws<BundleFormatException>(() => TestBundles.ReadVerified(bundle[..cut], [Signer.Key]));
            Assert.Contains("truncated", Assert.Single(sync.Problems).Message, StringComparison.Ordinal);
            var async = await Assert.ThrowsAsync<BundleFormatException>(() => BundleEnvelope.ReadAsync(new MemoryStream(bundle[..cut])));
            Assert.Equal(sync.Problems, async.Problems);
        }
    }

    [Fact]
    public void Validate_reports_every_problem_at_once()
    {
        var header = TestBundles.Header(Payload) with
        {
            ContainerName = "Bad Name", TargetDigest = default, ChunkSize = 1000, PayloadKind = PayloadKind.Delta, ExpiresUnixSeconds = 0,
        };
        var problems = header.Validate();
        Assert.All(problems, p => Assert.Equal(ReasonCodes.BundleMalformed, p.Code));
        foreach (var field in new[] { "containerName", "targetDigest", "chunkSize", "baseDigest", "expires" })
            Assert.Contains(problems, p => p.Path == field);
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
    public async Task Oversized_header_length_is_refused_before_reading_it()
    {
        var bundle = Valid();
        BitConverter.GetBytes(BundleLayout.MaxHeaderBytes + 1).CopyTo(bundle, 12);
        Assert.Contains("header length", Assert.Throws<BundleFormatException>(() => TestBundles.ReadVerified(bundle, [Signer.Key])).Message);
        Assert.Contains("header length", (await Assert.ThrowsAsync<BundleFormatException>(() => BundleEnvelope.ReadAsync(new MemoryStream(bundle)))).Message);
    }

    [Fact]
    public async Task Oversized_signature_block_length_is_refused_before_reading_it()
    {
        var bundle = Valid();
        var headerLength = BitConverter.ToInt32(bundle, 12);
        BitConverter.GetBytes(BundleLayout.MaxSignatureBlockBytes + 1).CopyTo(bundle, BundleLayout.PrefixBytes + headerLength);
        var sync = Assert.Throws<BundleFormatException>(() => BundleEnvelope.Read(new MemoryStream(bundle)));
        Assert.Equal(("signatures", ReasonCodes.BundleMalformed), (Assert.Single(sync.Problems).Path, sync.Problems[0].Code));
        var async = await Assert.ThrowsAsync<BundleFormatException>(() => BundleEnvelope.ReadAsync(new MemoryStream(bundle)));
        Assert.Equal(sync.Problems, async.Problems);
    }
}
