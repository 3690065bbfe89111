using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;

namespace AtymSecure.Signer.Keys;

/// <summary>
/// ECDSA P-256 key; signatures are ASN.1 DER over SHA-256 (what cosign and sigstore-js expect), with RFC 6979
/// deterministic nonces (<see cref="DeterministicEcdsa"/>): the same key and bytes always give the same signature.
/// </summary>
public sealed class EcdsaP256SigningKey : SoftwareSigningKey
{
    private readonly ECDsa _ecdsa;
    private readonly DeterministicEcdsa _signer;

    private EcdsaP256SigningKey(ECDsa ecdsa)
        : base(SignatureAlgorithm.EcdsaP256Sha256, ecdsa.ExportSubjectPublicKeyInfo())
    {
        _ecdsa = ecdsa;
        _signer = DeterministicEcdsa.From(ecdsa);
    }

    public static EcdsaP256SigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Imports an unencrypted PKCS#8 EC key; refuses curves other than P-256.</summary>
    internal static EcdsaP256SigningKey FromPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            var curve = ecdsa.ExportParameters(false).Curve;
            if (curve.Oid?.Value != "1.2.840.10045.3.1.7")
                throw new KeyFileException($"EC private key is on curve '{curve.Oid?.Value ?? curve.Oid?.FriendlyName}', only P-256 is supported");
            return new EcdsaP256SigningKey(ecdsa);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    public override byte[] Sign(ReadOnlySpan<byte> data) => _signer.SignSha256Der(data);

    internal override byte[] ExportPkcs8() => _ecdsa.ExportPkcs8PrivateKey();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _ecdsa.Dispose();
        base.Dispose(disposing);
    }
}
