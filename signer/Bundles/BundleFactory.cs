using System.Security.Cryptography;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Bundles;

/// <summary>
/// Produces key-only Sigstore v0.3 bundles (no transparency log, no certificate): the key is
/// named by <c>verificationMaterial.publicKey.hint</c> = the key id, exactly as cosign does with --key.
/// </summary>
public static class BundleFactory
{
    /// <summary>A DSSE bundle over an in-toto statement (what <c>atym sign</c> and <c>atym attest</c> push).</summary>
    public static async Task<SigstoreBundle> CreateDsseAsync(ISigningKey key, InTotoStatement statement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var problems = statement.Validate();
        if (problems.Count > 0) throw new MalformedDocumentException("in-toto statement", problems);
        return await CreateDsseAsync(key, InTotoStatement.PayloadType, SignerJson.Serialize(statement), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A DSSE bundle over any payload; the signature covers PAE(payloadType, payload).</summary>
    public static async Task<SigstoreBundle> CreateDsseAsync(ISigningKey key, string payloadType, byte[] payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(payloadType);
        ArgumentNullException.ThrowIfNull(payload);
        var signature = await key.SignAsync(Pae.Encode(payloadType, payload), cancellationToken).ConfigureAwait(false);
        return new SigstoreBundle
        {
            MediaType = BundleMediaTypes.V03,
            VerificationMaterial = KeyMaterial(key),
            DsseEnvelope = new DsseEnvelope
            {
                Payload = payload,
                PayloadType = payloadType,
                Signatures = [new DsseSignature { Sig = signature, KeyId = key.KeyId }],
            },
        };
    }

    /// <summary>
    /// A message-signature bundle: the signature is over the artifact bytes themselves and
    /// <c>messageDigest</c> is their SHA-256 (verifiers must compare it; sigstore-js does not without a tlog).
    /// </summary>
    public static async Task<SigstoreBundle> CreateMessageSignatureAsync(ISigningKey key, ReadOnlyMemory<byte> artifact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = await key.SignAsync(artifact, cancellationToken).ConfigureAwait(false);
        return new SigstoreBundle
        {
            MediaType = BundleMediaTypes.V03,
            VerificationMaterial = KeyMaterial(key),
            MessageSignature = new MessageSignature
            {
                MessageDigest = new HashOutput { Algorithm = HashOutput.Sha256, Digest = SHA256.HashData(artifact.Span) },
                Signature = signature,
            },
        };
    }

    private static VerificationMaterial KeyMaterial(ISigningKey key) => new() { PublicKey = new PublicKeyIdentifier { Hint = key.KeyId } };
}
