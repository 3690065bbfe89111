using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace AtymSecure.Formats.Crypto;

/// <summary>
/// ECDSA P-256 over SHA-256 with the nonce derived from the key and the message (RFC 6979 §3.2, HMAC-SHA256 through
/// BouncyCastle's <see cref="HMacDsaKCalculator"/>) instead of drawn at random as .NET's <see cref="ECDsa"/> does.
/// Why: the server's bundles and metadata must be byte-for-byte reproducible, so any replica holding the same key
/// cuts the same bundle (issue 12 §4, docs/bundle-format.md §Signatures). The signatures are ordinary ECDSA — every
/// verifier (the device's <see cref="VerificationKey"/>, cosign, tuf-js) accepts them unchanged, and keys, key ids and
/// the trust model stay P-256 as before. A deterministic nonce also removes the one ECDSA failure that a weak
/// random source causes (a repeated nonce leaks the key).
/// </summary>
public sealed class DeterministicEcdsa
{
    private static readonly ECDomainParameters P256 = new(NistNamedCurves.GetByName("P-256"));

    private readonly ECPrivateKeyParameters _key;

    private DeterministicEcdsa(ECPrivateKeyParameters key) => _key = key;

    /// <summary>The private scalar of <paramref name="key"/> (a P-256 key with its private half).</summary>
    public static DeterministicEcdsa From(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        try
        {
            if (parameters.Curve.Oid?.Value != "1.2.840.10045.3.1.7" || parameters.D is null)
                throw new ArgumentException("deterministic ECDSA needs a P-256 private key", nameof(key));
            return new DeterministicEcdsa(new ECPrivateKeyParameters(new BigInteger(1, parameters.D), P256));
        }
        finally
        {
            if (parameters.D is { } d) CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>Signs SHA-256 of <paramref name="data"/>; the signature is ASN.1 DER (RFC 3279), as cosign and TUF expect.</summary>
    public byte[] SignSha256Der(ReadOnlySpan<byte> data)
    {
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, _key);
        var rs = signer.GenerateSignature(SHA256.HashData(data));
        return new DerSequence(new DerInteger(rs[0]), new DerInteger(rs[1])).GetDerEncoded();
    }
}
