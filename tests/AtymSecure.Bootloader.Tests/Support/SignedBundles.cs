using System.Security.Cryptography;
using AtymSecure.Bootloader.Install;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Tests.Support;

/// <summary>
/// Real signed bundles (formats/Bundle, docs/bundle-format.md) of Wasm test images, full or SeqDiff delta,
/// signed with one P-256 vendor key (recovery bundles with a second, recovery key), and the production
/// <see cref="BundleInstallImage"/> that reads them.
/// </summary>
public sealed class SignedBundles : IDisposable
{
    private const int ChunkSize = 1024;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _recoveryKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public VerificationKey Trusted => VerificationKey.FromDer(_key.ExportSubjectPublicKeyInfo());

    public VerificationKey RecoveryTrusted => VerificationKey.FromDer(_recoveryKey.ExportSubjectPublicKeyInfo());

    /// <summary>What the test device trusts: the vendor key for every container, the recovery key for recovery bundles.</summary>
    public BundleTrustAnchors Anchors => BundleTrustAnchors.Of(TrustedBundleKey.Vendor(Trusted, ContainerNamePattern.Any), TrustedBundleKey.Recovery(RecoveryTrusted));

    /// <summary>A full recovery bundle (format 2), signed by the recovery key or, with <paramref name="byVendor"/>, by the vendor key.</summary>
    public byte[] Recovery(string container, byte[] target, string version, uint counter, bool byVendor = false) =>
        Write(Header(container, target, version, counter, SimDevice.DeviceClass, target, PayloadKind.Full, PayloadCodec.None) with { Recovery = true },
            target, byVendor ? _key : _recoveryKey);

    public byte[] Full(string container, byte[] target, string version, uint counter, string deviceClass = SimDevice.DeviceClass) =>
        Write(Header(container, target, version, counter, deviceClass, target, PayloadKind.Full, PayloadCodec.None), target);

    /// <summary>A delta bundle: <paramref name="patch"/> turns <paramref name="baseImage"/> into <paramref name="target"/>.</summary>
    public byte[] Delta(string container, byte[] baseImage, byte[] target, byte[] patch, string version, uint counter, string deviceClass = SimDevice.DeviceClass) =>
        Write(Header(container, target, version, counter, deviceClass, patch, PayloadKind.Delta, PayloadCodec.SeqDiff) with
        {
            BaseDigest = Digest.Compute(baseImage),
            BaseSize = (ulong)baseImage.Length,
        }, patch);

    /// <summary>The bundle as the device's installer sees it: envelope parsed (the device's checks come from its state at install).</summary>
    public BundleInstallImage Open(byte[] bundle, BundleTrustAnchors? trusted = null) =>
        new(BundleEnvelope.Read(new MemoryStream(bundle)), () => new MemoryStream(bundle), trusted ?? Anchors);

    public void Dispose()
    {
        _key.Dispose();
        _recoveryKey.Dispose();
    }

    private static BundleHeader Header(string container, byte[] target, string version, uint counter, string deviceClass, byte[] payload,
        PayloadKind kind, PayloadCodec codec) => new()
    {
        PayloadKind = kind,
        Codec = codec,
        ContainerName = container,
        ContainerVersion = version,
        SecurityCounter = counter,
        DeviceClass = deviceClass,
        TargetTriple = "wasm32-unknown-unknown",
        ArtifactKind = ArtifactKind.Wasm,
        TargetDigest = Digest.Compute(target),
        TargetSize = (ulong)target.Length,
        PayloadLength = (ulong)payload.Length,
        ChunkSize = ChunkSize,
        ChunkHashes = BundleFrame.HashChunks(payload, ChunkSize),
        ExpiresUnixSeconds = (ulong)TestImageSigner.Now.AddDays(30).ToUnixTimeSeconds(),
    };

    private byte[] Write(BundleHeader header, byte[] payload, ECDsa? signer = null)
    {
        var key = signer ?? _key;
        var signature = key.SignData(BundleFrame.SignatureInput(header), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var keyId = VerificationKey.FromDer(key.ExportSubjectPublicKeyInfo()).KeyId;
        var output = new MemoryStream();
        BundleFrame.WriteAsync(output, header, [new BundleSignature(SignatureAlgorithm.EcdsaP256Sha256, keyId, signature)], payload).GetAwaiter().GetResult();
        return output.ToArray();
    }
}
