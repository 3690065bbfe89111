using System.Security.Cryptography;

namespace AtymSecure.Formats.Crypto;

/// <summary>
/// Key identifier: standard base64 of SHA-256 over the DER SubjectPublicKeyInfo. This is what
/// cosign writes as <c>verificationMaterial.publicKey.hint</c> in Sigstore bundles.
/// </summary>
public static class KeyId
{
    public static string Compute(ReadOnlySpan<byte> derSpki) => Convert.ToBase64String(SHA256.HashData(derSpki));
}
