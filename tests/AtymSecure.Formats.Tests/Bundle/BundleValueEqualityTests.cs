using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.TestSupport;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>Bundle records compare by value: the same contents in fresh arrays and lists are equal, any one field differing is not.</summary>
public class BundleValueEqualityTests
{
    private static readonly byte[] Payload = TestBundles.Payload(3000);

    /// <summary>A header unlike <see cref="TestBundles.Header"/> in every field.</summary>
    private static BundleHeader Different() => new()
    {
        ContainerName = "other", ContainerVersion = "9.9.9", SecurityCounter = 99, DeviceClass = "linux-x86_64",
        TargetTriple = "x86_64-unknown-linux-gnu", ArtifactKind = ArtifactKind.WasmtimeNative, ImageFormat = ImageFormat.ContainerImageV1,
        TargetDigest = Digest.FromSha256(new byte[32]), TargetSize = 1, PayloadKind = PayloadKind.Delta, Codec = PayloadCodec.SeqDiff,
        BaseDigest = Digest.FromSha256(new byte[32]), BaseSize = 2, PayloadLength = 3, ChunkSize = 4096, ChunkHashes = [new byte[32]],
        ExpiresUnixSeconds = 5, CreatedUnixSeconds = 4, ProvenanceDigest = "sha256:" + new string('b', 64),
        SourceManifestDigest = "sha256:" + new string('c', 64), Recovery = true,
    };

    [Fact]
    public void Headers_with_the_same_contents_are_equal_and_hash_alike()
    {
        var a = TestBundles.Header(Payload);
        var b = BundleHeaderCodec.Decode(BundleHeaderCodec.Encode(a));
        Assert.NotSame(a.ChunkHashes, b.ChunkHashes);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Every_header_field_takes_part_in_equality()
    {
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(TestBundles.Header(Payload), Different()));
        var header = TestBundles.Header(Payload);
        var oneHashChanged = header with { ChunkHashes = [.. header.ChunkHashes.Take(header.ChunkCount - 1), new byte[32]] };
        Assert.NotEqual(header, oneHashChanged);
    }

    [Fact]
    public void Envelopes_and_signatures_read_twice_are_equal()
    {
        var signer = TestSigner.Ecdsa();
        var bundle = TestBundles.Write(TestBundles.Header(Payload), Payload, signer);
        var a = BundleEnvelope.Read(new MemoryStream(bundle));
        var b = BundleEnvelope.Read(new MemoryStream(bundle));
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        var other = new BundleSignature(SignatureAlgorithm.Ed25519, "other", [1, 2, 3]);
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a.Signatures[0], other));
        var otherEnvelope = new BundleEnvelope(Different(), [other], [9]) { PayloadOffset = 1 };
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a, otherEnvelope));
    }

    [Fact]
    public void Expectations_and_install_candidates_compare_digests_by_content()
    {
        var hash = SHA256.HashData("base"u8);
        var expect = TestBundles.Expect(e => e with { InstalledDigest = Digest.FromSha256(hash) });
        Assert.Equal(expect, expect with { InstalledDigest = Digest.FromSha256([.. hash]) });
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(expect,
            new BundleExpectations("linux-x86_64", TestBundles.Now.AddDays(1), 1, 2, Digest.FromSha256(new byte[32]))));
        var candidate = new InstallCandidate("mcu-cortex-m4", 7, 100, PayloadKind.Delta, Digest.FromSha256(hash));
        Assert.Equal(candidate, candidate with { BaseDigest = Digest.FromSha256([.. hash]) });
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(candidate, new InstallCandidate("linux-x86_64", 1, 2, PayloadKind.Full, null)));
    }
}
