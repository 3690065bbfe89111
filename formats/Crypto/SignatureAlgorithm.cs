namespace AtymSecure.Formats.Crypto;

/// <summary>
/// The signature schemes we sign and verify with. Names follow the Sigstore protobuf
/// <c>PublicKeyDetails</c> enum (https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_common.proto).
/// </summary>
public enum SignatureAlgorithm
{
    /// <summary>ECDSA on NIST P-256 over SHA-256, signature ASN.1 DER (RFC 3279). What cosign uses.</summary>
    EcdsaP256Sha256 = 1,

    /// <summary>Ed25519 (RFC 8032, pure, no pre-hash), 64-byte signature.</summary>
    Ed25519 = 2,
}

public static class SignatureAlgorithmNames
{
    /// <summary>The Sigstore <c>PublicKeyDetails</c> name (used as <c>keyDetails</c> in trusted roots).</summary>
    public static string SigstoreKeyDetails(this SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.EcdsaP256Sha256 => "PKIX_ECDSA_P256_SHA_256",
        SignatureAlgorithm.Ed25519 => "PKIX_ED25519",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown signature algorithm"),
    };

    /// <summary>Short lowercase name for files, CLI flags and messages.</summary>
    public static string ShortName(this SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.EcdsaP256Sha256 => "ecdsa-p256",
        SignatureAlgorithm.Ed25519 => "ed25519",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown signature algorithm"),
    };

    public static bool TryParseShortName(string? name, out SignatureAlgorithm algorithm)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "ecdsa-p256" or "ecdsa" or "p256" or "p-256": algorithm = SignatureAlgorithm.EcdsaP256Sha256; return true;
            case "ed25519": algorithm = SignatureAlgorithm.Ed25519; return true;
            default: algorithm = default; return false;
        }
    }
}
