using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>Real keys and real bundles for the tests (ECDSA P-256 via .NET, Ed25519 via BouncyCastle).</summary>
internal sealed class TestSigner
{
    private readonly Func<byte[], byte[]> _sign;

    private TestSigner(SignatureAlgorithm algorithm, byte[] spki, Func<byte[], byte[]> sign)
    {
        _sign = sign;
        Key = VerificationKey.FromDer(spki);
        Algorithm = algorithm;
    }

    public VerificationKey Key { get; }
    public SignatureAlgorithm Algorithm { get; }

    public static TestSigner Ecdsa()
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new TestSigner(SignatureAlgorithm.EcdsaP256Sha256, ecdsa.ExportSubjectPublicKeyInfo(),
            data => ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    public static TestSigner Ed25519()
    {
        var priv = new Ed25519PrivateKeyParameters(new SecureRandom());
        var spki = SubjectPublicKeyInfoFactoryShim(priv.GeneratePublicKey());
        return new TestSigner(SignatureAlgorithm.Ed25519, spki, data =>
        {
            var s = new Ed25519Signer();
            s.Init(true, priv);
            s.BlockUpdate(data, 0, data.Length);
            return s.GenerateSignature();
        });
    }

    private static byte[] SubjectPublicKeyInfoFactoryShim(Ed25519PublicKeyParameters pub) =>
        Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pub).GetDerEncoded();

    public BundleSignature Sign(BundleHeader header) =>
        new(Algorithm, Key.KeyId, _sign(BundleFrame.SignatureInput(header)));
}

internal static class TestBundles
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static BundleHeader Header(byte[] payload, uint chunkSize = 512, Func<BundleHeader, BundleHeader>? tweak = null)
    {
        var header = new BundleHeader
        {
            ContainerName = "sensor-filter",
            ContainerVersion = "1.2.0",
            SecurityCounter = 7,
            DeviceClass = "mcu-cortex-m4",
            TargetTriple = "thumbv7em-none-eabi",
            ArtifactKind = ArtifactKind.Wasm2cObject,
            TargetDigest = Digest.Compute(payload),
            TargetSize = (ulong)payload.Length,
            PayloadKind = PayloadKind.Full,
            Codec = PayloadCodec.None,
            PayloadLength = (ulong)payload.Length,
            ChunkSize = chunkSize,
            ChunkHashes = BundleFrame.HashChunks(payload, chunkSize),
            ExpiresUnixSeconds = (ulong)Now.AddDays(30).ToUnixTimeSeconds(),
            CreatedUnixSeconds = (ulong)Now.ToUnixTimeSeconds(),
            SourceManifestDigest = "sha256:" + new string('a', 64),
        };
        return tweak?.Invoke(header) ?? header;
    }

    public static byte[] Payload(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Write(BundleHeader header, byte[] payload, params TestSigner[] signers)
    {
        using var output = new MemoryStream();
        BundleFrame.WriteAsync(output, header, signers.Select(s => s.Sign(header)).ToList(), payload).GetAwaiter().GetResult();
        return output.ToArray();
    }

    public static BundleExpectations Expect(Func<BundleExpectations, BundleExpectations>? tweak = null)
    {
        var e = new BundleExpectations("mcu-cortex-m4", Now, MinimumSecurityCounter: 7, SlotCapacity: 1 << 20);
        return tweak?.Invoke(e) ?? e;
    }

    /// <summary>Trust in <paramref name="keys"/> as compiler keys for every container: any code kind, as every test bundle before key scopes.</summary>
    public static BundleTrustAnchors Compilers(IEnumerable<VerificationKey> keys) => BundleTrustAnchors.Of(keys.Select(k => TrustedBundleKey.Compiler(k)));

    /// <summary>Reads, verifies and drains the payload: the full device-side path (<paramref name="keys"/> trusted as compiler keys).</summary>
    public static byte[] ReadVerified(byte[] bundle, IReadOnlyCollection<VerificationKey> keys, BundleExpectations? expect = null) =>
        ReadVerified(bundle, Compilers(keys), expect);

    /// <summary>Reads, verifies and drains the payload under scoped <paramref name="trusted"/> keys.</summary>
    public static byte[] ReadVerified(byte[] bundle, BundleTrustAnchors trusted, BundleExpectations? expect = null)
    {
        using var stream = new MemoryStream(bundle);
        var envelope = BundleEnvelope.Read(stream);
        var verified = BundleVerifier.Verify(envelope, trusted, expect ?? Expect());
        using var payload = verified.OpenPayload(stream);
        using var copy = new MemoryStream();
        payload.CopyTo(copy);
        return copy.ToArray();
    }
}
