using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.OpenSsl;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>
/// Golden bundles of format 2 (recovery bundles), kept forever like the v1 set (<see cref="GoldenBundleTests"/>), and
/// the v1 set read under scoped keys. Signed with the committed test PKI (tests/pki), which these tests trust as a
/// recovery key (ECDSA) and a compiler key (Ed25519). Written once with ATYM_WRITE_GOLDENS=1 (only missing files).
/// </summary>
public class GoldenRecoveryBundleTests
{
    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
    private static readonly string GoldenDir = Path.Combine(Here(), "Golden", "v2");
    private static readonly string V1Dir = Path.Combine(Here(), "Golden", "v1");
    private static readonly string PkiDir = Path.GetFullPath(Path.Combine(Here(), "..", "..", "pki"));
    private static readonly DateTimeOffset Created = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expires = new(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly byte[] TargetImage = Deterministic(3000, 21);

    private static VerificationKey Ecdsa => VerificationKey.FromPem(File.ReadAllText(Path.Combine(PkiDir, "ecdsa-p256.pub")));
    private static VerificationKey Ed25519 => VerificationKey.FromPem(File.ReadAllText(Path.Combine(PkiDir, "ed25519.pub")));
    private static BundleTrustAnchors Device => BundleTrustAnchors.Of(TrustedBundleKey.Recovery(Ecdsa), TrustedBundleKey.Compiler(Ed25519));

    /// <summary>file → verdict (null: accepted; "format": refused as malformed before any signature is looked at).</summary>
    public static TheoryData<string, string?> Cases => new()
    {
        { "recovery-wasm-ecdsa.bundle", null },
        { "recovery-native-ecdsa-ed25519.bundle", null },
        { "recovery-native-ecdsa-negative.bundle", ReasonCodes.NativeNotFromCompiler },
        { "recovery-wasm-ed25519-negative.bundle", ReasonCodes.SignerOutOfScope },
        { "recovery-in-v1-frame-negative.bundle", "format" },
    };

    private static byte[] Deterministic(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static BundleExpectations Expect() => new("linux-x86_64", Created.AddDays(1), MinimumSecurityCounter: 3, SlotCapacity: 64 * 1024);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Golden_v2_bundle_keeps_its_verdict(string file, string? expected)
    {
        var bytes = File.ReadAllBytes(Path.Combine(GoldenDir, file));
        if (expected is null)
        {
            Assert.Equal(TargetImage, TestBundles.ReadVerified(bytes, Device, Expect()));
            Assert.True(BundleEnvelope.Read(new MemoryStream(bytes)).Header.Recovery);
        }
        else if (expected == "format")
        {
            Assert.Equal(ReasonCodes.BundleMalformed, Assert.Single(Assert.Throws<BundleFormatException>(() => TestBundles.ReadVerified(bytes, Device, Expect())).Problems).Code);
        }
        else
        {
            var error = Assert.Throws<BundleVerificationException>(() => TestBundles.ReadVerified(bytes, Device, Expect()));
            Assert.Equal(expected, Assert.Single(error.Problems).Code);
        }
    }

    [Fact]
    public void Golden_v2_set_is_complete()
    {
        if (Environment.GetEnvironmentVariable("ATYM_WRITE_GOLDENS") == "1") WriteGoldens();
        var present = Directory.GetFiles(GoldenDir, "*.bundle").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(Cases.Select(c => (string)c[0]).Order().ToArray(), present);
    }

    /// <summary>The v1 native golden (a .cwasm signed by the ECDSA key): accepted under a compiler key, refused under a vendor key.</summary>
    [Fact]
    public void Golden_v1_native_bundle_counts_only_under_a_compiler_key()
    {
        var bytes = File.ReadAllBytes(Path.Combine(V1Dir, "full-ecdsa.bundle"));
        var expect = Expect() with { DeviceClass = "linux-x86_64" };
        Assert.Equal(3000, TestBundles.ReadVerified(bytes, BundleTrustAnchors.Of(TrustedBundleKey.Compiler(Ecdsa)), expect).Length);
        var asVendor = BundleTrustAnchors.Of(TrustedBundleKey.Vendor(Ecdsa, ContainerNamePattern.Parse("golden")));
        Assert.Equal(ReasonCodes.NativeNotFromCompiler, Assert.Single(Assert.Throws<BundleVerificationException>(() => TestBundles.ReadVerified(bytes, asVendor, expect)).Problems).Code);
        var otherContainers = BundleTrustAnchors.Of(TrustedBundleKey.Compiler(Ecdsa, ContainerNamePattern.Parse("acme-*")));
        Assert.Equal(ReasonCodes.SignerOutOfScope, Assert.Single(Assert.Throws<BundleVerificationException>(() => TestBundles.ReadVerified(bytes, otherContainers, expect)).Problems).Code);
    }

    private static BundleHeader Header(ArtifactKind kind) => new()
    {
        ContainerName = "golden-recovery", ContainerVersion = "1.0.1", SecurityCounter = 3,
        DeviceClass = "linux-x86_64", TargetTriple = kind == ArtifactKind.Wasm ? "wasm32-unknown-unknown" : "x86_64-unknown-linux-gnu", ArtifactKind = kind,
        TargetDigest = Digest.Compute(TargetImage), TargetSize = (ulong)TargetImage.Length,
        PayloadKind = PayloadKind.Full, Codec = PayloadCodec.None, PayloadLength = (ulong)TargetImage.Length,
        ChunkSize = 1024, ChunkHashes = BundleFrame.HashChunks(TargetImage, 1024),
        ExpiresUnixSeconds = (ulong)Expires.ToUnixTimeSeconds(), CreatedUnixSeconds = (ulong)Created.ToUnixTimeSeconds(),
        Recovery = true,
    };

    private static void WriteGoldens()
    {
        Directory.CreateDirectory(GoldenDir);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(File.ReadAllText(Path.Combine(PkiDir, "ecdsa-p256.key")));
        var edKey = (Ed25519PrivateKeyParameters)new PemReader(new StringReader(File.ReadAllText(Path.Combine(PkiDir, "ed25519.key")))).ReadObject();
        BundleSignature SignEcdsa(BundleHeader h) => new(SignatureAlgorithm.EcdsaP256Sha256, Ecdsa.KeyId,
            ecdsa.SignData(BundleFrame.SignatureInput(h), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        BundleSignature SignEd(BundleHeader h)
        {
            var s = new Ed25519Signer();
            s.Init(true, edKey);
            var input = BundleFrame.SignatureInput(h);
            s.BlockUpdate(input, 0, input.Length);
            return new(SignatureAlgorithm.Ed25519, Ed25519.KeyId, s.GenerateSignature());
        }
        byte[] Write(BundleHeader h, params BundleSignature[] signatures)
        {
            using var m = new MemoryStream();
            BundleFrame.WriteAsync(m, h, signatures, TargetImage).GetAwaiter().GetResult();
            return m.ToArray();
        }
        void Save(string name, byte[] bytes)
        {
            var path = Path.Combine(GoldenDir, name);
            if (File.Exists(path)) return; // kept forever: never overwritten
            File.WriteAllBytes(path + ".tmp", bytes);
            File.Move(path + ".tmp", path);
        }

        var wasm = Header(ArtifactKind.Wasm);
        var wasmBytes = Write(wasm, SignEcdsa(wasm));
        Save("recovery-wasm-ecdsa.bundle", wasmBytes);
        var native = Header(ArtifactKind.WasmtimeNative);
        Save("recovery-native-ecdsa-ed25519.bundle", Write(native, SignEcdsa(native), SignEd(native)));
        Save("recovery-native-ecdsa-negative.bundle", Write(native, SignEcdsa(native)));
        Save("recovery-wasm-ed25519-negative.bundle", Write(wasm, SignEd(wasm)));
        var inV1 = (byte[])wasmBytes.Clone();
        inV1[8] = 1;
        Save("recovery-in-v1-frame-negative.bundle", inV1);
    }
}
