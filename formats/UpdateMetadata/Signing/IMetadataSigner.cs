using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.UpdateMetadata.Signing;

/// <summary>
/// A key that signs metadata. Offline keys (root, targets, vendors, director root: files on an operator's machine)
/// and online keys (timestamp, snapshot, compiler, director targets: the OTA server's key store or a KMS) are both
/// this interface; where the private half lives is the implementation's business.
/// </summary>
public interface IMetadataSigner
{
    /// <summary>The public key as metadata lists it; its <see cref="TufKey.KeyId"/> goes into the signature.</summary>
    TufKey PublicKey { get; }

    /// <summary>
    /// Signs <paramref name="canonicalSigned"/>, the canonical JSON of a <c>signed</c> object. Ed25519: the 64-byte
    /// signature. ECDSA P-256: ASN.1 DER over SHA-256, as securesystemslib and tuf-js verify it.
    /// </summary>
    byte[] Sign(ReadOnlySpan<byte> canonicalSigned);
}
