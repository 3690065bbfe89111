using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Model;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace AtymSecure.Formats.UpdateMetadata.Signing;

/// <summary>An Ed25519 private key held in memory (BouncyCastle; the BCL has no Ed25519).</summary>
public sealed class Ed25519MetadataSigner : IMetadataSigner
{
    private readonly Ed25519PrivateKeyParameters _key;

    public Ed25519MetadataSigner(Ed25519PrivateKeyParameters key)
    {
        _key = key;
        var publicKey = key.GeneratePublicKey().GetEncoded();
        PublicKey = TufKey.From(VerificationKey.FromDer([.. Convert.FromHexString("302a300506032b6570032100"), .. publicKey]));
    }

    public TufKey PublicKey { get; }

    /// <summary>The key whose RFC 8032 seed is <paramref name="seed"/> (32 bytes).</summary>
    public static Ed25519MetadataSigner FromSeed(ReadOnlySpan<byte> seed) => new(new Ed25519PrivateKeyParameters(seed.ToArray()));

    public static Ed25519MetadataSigner Generate() => FromSeed(RandomNumberGenerator.GetBytes(32));

    public byte[] Sign(ReadOnlySpan<byte> canonicalSigned)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, _key);
        signer.BlockUpdate(canonicalSigned);
        return signer.GenerateSignature();
    }
}

/// <summary>An ECDSA P-256 private key held by the BCL; signatures are DER over SHA-256.</summary>
public sealed class EcdsaP256MetadataSigner : IMetadataSigner, IDisposable
{
    private readonly ECDsa _key;
    private readonly DeterministicEcdsa _signer;

    public EcdsaP256MetadataSigner(ECDsa key)
    {
        if (key.KeySize != 256) throw new ArgumentException("only P-256 keys sign metadata", nameof(key));
        _key = key;
        _signer = DeterministicEcdsa.From(key);
        PublicKey = TufKey.From(VerificationKey.FromDer(key.ExportSubjectPublicKeyInfo()));
    }

    public TufKey PublicKey { get; }

    /// <summary>A key from PEM (PKCS#8 or SEC1 EC PRIVATE KEY, unencrypted).</summary>
    public static EcdsaP256MetadataSigner FromPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return new EcdsaP256MetadataSigner(key);
    }

    public static EcdsaP256MetadataSigner Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public byte[] Sign(ReadOnlySpan<byte> canonicalSigned) => _signer.SignSha256Der(canonicalSigned);

    public void Dispose() => _key.Dispose();
}

/// <summary>Signs a role document with one or more keys into its envelope.</summary>
public static class MetadataSigning
{
    public static SignedMetadata<T> Sign<T>(T signed, params IEnumerable<IMetadataSigner> signers)
        where T : RoleMetadata, IRoleMetadata<T>
    {
        ArgumentNullException.ThrowIfNull(signed);
        var bytes = Json.CanonicalJsonWriter.Encode(signed.ToJson());
        var signatures = signers.Select(s => new MetadataSignature(s.PublicKey.KeyId, Convert.ToHexStringLower(s.Sign(bytes)))).ToList();
        return SignedMetadata<T>.Create(signed, signatures);
    }
}
