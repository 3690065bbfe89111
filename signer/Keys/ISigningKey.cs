using AtymSecure.Formats.Crypto;

namespace AtymSecure.Signer.Keys;

/// <summary>
/// The one thing signing code needs from a key. File-backed keys implement it today; a PKCS#11
/// token or a cloud KMS key can implement it later without touching any caller.
/// </summary>
public interface ISigningKey
{
    /// <summary>base64(SHA-256(DER SPKI)), used as the Sigstore bundle key hint.</summary>
    string KeyId { get; }

    SignatureAlgorithm Algorithm { get; }

    /// <summary>DER SubjectPublicKeyInfo of the public half.</summary>
    ReadOnlyMemory<byte> PublicKeySpki { get; }

    /// <summary>
    /// Signs <paramref name="data"/> (the whole message, not a digest). ECDSA P-256 returns an
    /// ASN.1 DER signature over SHA-256 of the data; Ed25519 returns the 64-byte signature.
    /// </summary>
    ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);
}
