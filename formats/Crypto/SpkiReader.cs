using System.Formats.Asn1;

namespace AtymSecure.Formats.Crypto;

/// <summary>
/// Reads a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) far enough to tell which of our two key
/// types it holds: id-ecPublicKey with the prime256v1 curve (RFC 5480), or id-Ed25519 (RFC 8410).
/// Everything else is refused with the reason.
/// </summary>
public static class SpkiReader
{
    /// <summary>P-256 SPKI is 91 bytes and Ed25519 is 44; anything much larger is not ours.</summary>
    public const int MaxSpkiBytes = 256;

    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string P256CurveOid = "1.2.840.10045.3.1.7";
    private const string Ed25519Oid = "1.3.101.112";

    /// <summary>Returns the algorithm and the raw public key bits (EC point or 32-byte Ed25519 key).</summary>
    public static (SignatureAlgorithm Algorithm, byte[] PublicKeyBits) Read(ReadOnlySpan<byte> der)
    {
        if (der.IsEmpty) throw new InvalidPublicKeyException("empty SubjectPublicKeyInfo");
        if (der.Length > MaxSpkiBytes)
            throw new InvalidPublicKeyException($"SubjectPublicKeyInfo is {der.Length} bytes, limit {MaxSpkiBytes}");
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var spki = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var algorithmId = spki.ReadSequence();
            var oid = algorithmId.ReadObjectIdentifier();
            string? parameter = null;
            var hasParameters = algorithmId.HasData;
            if (hasParameters)
            {
                if (algorithmId.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier)) parameter = algorithmId.ReadObjectIdentifier();
                else algorithmId.ReadEncodedValue();
            }
            algorithmId.ThrowIfNotEmpty();
            var bits = spki.ReadBitString(out var unusedBits);
            spki.ThrowIfNotEmpty();
            if (unusedBits != 0) throw new InvalidPublicKeyException("public key BIT STRING has unused bits");
            switch (oid)
            {
                case EcPublicKeyOid when parameter == P256CurveOid:
                    if (bits.Length != 65 || bits[0] != 0x04)
                        throw new InvalidPublicKeyException("P-256 public key must be an uncompressed 65-byte point");
                    return (SignatureAlgorithm.EcdsaP256Sha256, bits);
                case EcPublicKeyOid:
                    throw new InvalidPublicKeyException($"EC curve '{parameter ?? "(none)"}' is not supported (only P-256, {P256CurveOid})");
                case Ed25519Oid when !hasParameters:
                    if (bits.Length != 32) throw new InvalidPublicKeyException("Ed25519 public key must be 32 bytes");
                    return (SignatureAlgorithm.Ed25519, bits);
                case Ed25519Oid:
                    throw new InvalidPublicKeyException("Ed25519 AlgorithmIdentifier must not have parameters (RFC 8410 §3)");
                default:
                    throw new InvalidPublicKeyException($"key algorithm '{oid}' is not supported (only ECDSA P-256 and Ed25519)");
            }
        }
        catch (AsnContentException e)
        {
            throw new InvalidPublicKeyException($"malformed DER SubjectPublicKeyInfo: {e.Message}");
        }
    }
}
