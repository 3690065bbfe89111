using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.OpenSsl;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>
/// Golden bundles per format version, kept forever: every reader must keep accepting the valid
/// ones and refusing the bad ones for the same reason. Written once with ATYM_WRITE_GOLDENS=1 (only the
/// missing files: their ECDSA signatures predate RFC 6979 signing, so rewriting would change goldens that must stay as
/// they are), signed with the committed test PKI (tests/pki).
/// </summary>
public class GoldenBundleTests
{
    internal static string SourceFile([CallerFilePath] string path = "") => path;

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
    private static readonly string GoldenDir = Path.Combine(Here(), "Golden", "v1");
    private static readonly string PkiDir = Path.GetFullPath(Path.Combine(Here(), "..", "..", "pki"));

    private static readonly byte[] BaseImage = Deterministic(4000, 11);
    private static readonly byte[] TargetImage = Deterministic(3000, 12);

    /// <summary>The golden container image of samples/anomaly-detector: the target of the ImageFormat=1 golden bundle.</summary>
    private static byte[] ContainerImageTarget() =>
        File.ReadAllBytes(Path.Combine(Here(), "..", "ContainerImage", "Golden", "v1", "anomaly-detector.cimg"));
    private static readonly DateTimeOffset Created = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expires = new(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string?> Cases => new()
    {
        { "full-ecdsa.bundle", null },
        { "delta-ed25519.bundle", null },
        { "bad-signature.bundle", ReasonCodes.UntrustedSigner },
        { "truncated.bundle", ReasonCodes.Truncated },
        { "oversized.bundle", ReasonCodes.TooLarge },
        { "wrong-base.bundle", ReasonCodes.DeltaBaseMismatch },
        { "tampered-chunk.bundle", ReasonCodes.ChunkMismatch },
        { "container-image-ecdsa.bundle", null },
    };

    private static byte[] Deterministic(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static VerificationKey[] TrustedKeys() =>
    [
        VerificationKey.FromPem(File.ReadAllText(Path.Combine(PkiDir, "ecdsa-p256.pub"))),
        VerificationKey.FromPem(File.ReadAllText(Path.Combine(PkiDir, "ed25519.pub"))),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Golden_v1_bundle_keeps_its_verdict(string file, string? expected)
    {
        var bytes = File.ReadAllBytes(Path.Combine(GoldenDir, file));
        var expect = new BundleExpectations("linux-x86_64", Created.AddDays(1), MinimumSecurityCounter: 3,
            SlotCapacity: 64 * 1024, InstalledDigest: Digest.Compute(BaseImage));
        if (file.StartsWith("container-image", StringComparison.Ordinal))
        {
            // ImageFormat=1: the target is a container image whose code the header's ArtifactKind/TargetTriple describe.
            var target = ContainerImageTarget();
            expect = expect with { SlotCapacity = 64 * 1024, InstalledDigest = null };
            var payload = TestBundles.ReadVerified(bytes, TrustedKeys(), expect);
            Assert.Equal(target, payload);
            using var stream = new MemoryStream(bytes);
            var header = (await BundleEnvelope.ReadAsync(stream)).Header;
            Assert.Equal(ImageFormat.ContainerImageV1, header.ImageFormat);
            var image = AtymSecure.Formats.ContainerImage.ContainerImageReader.Read(payload);
            Assert.Equal(header.ArtifactKind, image.Code.Kind);
            Assert.Equal(header.ContainerName, image.Config.Name);
            AtymSecure.Formats.ContainerImage.ContainerImageBundleBinding.Ensure(image, payload, header);
        }
        else if (expected is null)
        {
            var payload = TestBundles.ReadVerified(bytes, TrustedKeys(), expect);
            Assert.Equal(file.StartsWith("full", StringComparison.Ordinal) ? TargetImage : Deterministic(1500, 13), payload);
        }
        else
        {
            var error = Assert.Throws<BundleVerificationException>(() => TestBundles.ReadVerified(bytes, TrustedKeys(), expect));
            Assert.Equal(expected, Assert.Single(error.Problems).Code);
        }
    }

    [Fact]
    public void Golden_set_is_complete()
    {
        if (Environment.GetEnvironmentVariable("ATYM_WRITE_GOLDENS") == "1") WriteGoldens();
        var present = Directory.GetFiles(GoldenDir, "*.bundle").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(Cases.Select(c => (string)c[0]).Order().ToArray(), present);
    }

    private static BundleHeader Header(byte[] payload, Func<BundleHeader, BundleHeader>? tweak = null)
    {
        var h = new BundleHeader
        {
            ContainerName = "golden", ContainerVersion = "1.0.0", SecurityCounter = 3,
            DeviceClass = "linux-x86_64", TargetTriple = "x86_64-unknown-linux-gnu", ArtifactKind = ArtifactKind.WasmtimeNative,
            TargetDigest = Digest.Compute(TargetImage), TargetSize = (ulong)TargetImage.Length,
            PayloadKind = PayloadKind.Full, Codec = PayloadCodec.None, PayloadLength = (ulong)payload.Length,
            ChunkSize = 1024, ChunkHashes = BundleFrame.HashChunks(payload, 1024),
            ExpiresUnixSeconds = (ulong)Expires.ToUnixTimeSeconds(), CreatedUnixSeconds = (ulong)Created.ToUnixTimeSeconds(),
            SourceManifestDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData("golden"u8)),
        };
        return tweak?.Invoke(h) ?? h;
    }

    private static void WriteGoldens()
    {
        Directory.CreateDirectory(GoldenDir);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(File.ReadAllText(Path.Combine(PkiDir, "ecdsa-p256.key")));
        var edKey = (Ed25519PrivateKeyParameters)new PemReader(new StringReader(File.ReadAllText(Path.Combine(PkiDir, "ed25519.key")))).ReadObject();
        var keys = TrustedKeys();
        BundleSignature SignEcdsa(BundleHeader h) => new(SignatureAlgorithm.EcdsaP256Sha256, keys[0].KeyId,
            ecdsa.SignData(BundleFrame.SignatureInput(h), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        BundleSignature SignEd(BundleHeader h)
        {
            var s = new Ed25519Signer();
            s.Init(true, edKey);
            var input = BundleFrame.SignatureInput(h);
            s.BlockUpdate(input, 0, input.Length);
            return new(SignatureAlgorithm.Ed25519, keys[1].KeyId, s.GenerateSignature());
        }
        byte[] Write(BundleHeader h, BundleSignature sig, byte[] payload)
        {
            using var m = new MemoryStream();
            BundleFrame.WriteAsync(m, h, [sig], payload).GetAwaiter().GetResult();
            return m.ToArray();
        }
        void Save(string name, byte[] bytes)
        {
            var path = Path.Combine(GoldenDir, name);
            if (File.Exists(path)) return; // kept forever: never overwritten
            File.WriteAllBytes(path + ".tmp", bytes);
            File.Move(path + ".tmp", path);
        }

        var full = Header(TargetImage);
        var fullBytes = Write(full, SignEcdsa(full), TargetImage);
        Save("full-ecdsa.bundle", fullBytes);

        var deltaPayload = Deterministic(1500, 13);
        BundleHeader Delta(byte[] baseImage) => Header(deltaPayload, h => h with
        {
            PayloadKind = PayloadKind.Delta, Codec = PayloadCodec.SeqDiff,
            BaseDigest = Digest.Compute(baseImage), BaseSize = (ulong)baseImage.Length,
        });
        var delta = Delta(BaseImage);
        Save("delta-ed25519.bundle", Write(delta, SignEd(delta), deltaPayload));

        var badSig = (byte[])fullBytes.Clone();
        badSig[^(TargetImage.Length + 5)] ^= 0x55; // inside the signature bytes
        Save("bad-signature.bundle", badSig);
        Save("truncated.bundle", fullBytes[..^100]);
        var big = Header(TargetImage, h => h with { TargetSize = 1 << 20, Codec = PayloadCodec.Zstd });
        Save("oversized.bundle", Write(big, SignEcdsa(big), TargetImage));
        var other = Delta(Deterministic(4000, 99));
        Save("wrong-base.bundle", Write(other, SignEd(other), deltaPayload));
        var tampered = (byte[])fullBytes.Clone();
        tampered[^1] ^= 0x01;
        Save("tampered-chunk.bundle", tampered);

        var imageBytes = ContainerImageTarget();
        var image = AtymSecure.Formats.ContainerImage.ContainerImageReader.Read(imageBytes);
        var containerImage = Header(imageBytes) with
        {
            ContainerName = image.Config.Name, ContainerVersion = image.Config.Version!.ToString(),
            ArtifactKind = image.Code.Kind, TargetTriple = "wasm32-wasip1", ImageFormat = ImageFormat.ContainerImageV1,
            TargetDigest = Digest.Compute(imageBytes), TargetSize = (ulong)imageBytes.Length,
        };
        Save("container-image-ecdsa.bundle", Write(containerImage, SignEcdsa(containerImage), imageBytes));
    }
}
