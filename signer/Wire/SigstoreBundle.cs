using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtymSecure.Signer.Wire;

/// <summary>
/// A Sigstore bundle (protobuf JSON form). Spec:
/// https://github.com/sigstore/protobuf-specs/blob/v0.5.2/protos/sigstore_bundle.proto and
/// https://docs.sigstore.dev/about/bundle/. We write v0.3 with a public-key hint and no tlog
/// entries; on read, certificate material and tlog entries are kept opaque so the verifier can
/// say precisely what it does not support.
/// </summary>
public sealed record SigstoreBundle : IValidatable
{
    /// <summary>A bundle holds one signature and a payload; 16 MiB is far beyond any real one.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    [JsonPropertyName("mediaType")] public string? MediaType { get; init; } = BundleMediaTypes.V03;
    [JsonPropertyName("verificationMaterial")] public VerificationMaterial? VerificationMaterial { get; init; }
    [JsonPropertyName("messageSignature")] public MessageSignature? MessageSignature { get; init; }
    [JsonPropertyName("dsseEnvelope")] public DsseEnvelope? DsseEnvelope { get; init; }

    public static SigstoreBundle Parse(ReadOnlySpan<byte> json) => SignerJson.Parse<SigstoreBundle>(json, MaxBytes, "Sigstore bundle");

    public byte[] ToJson() => SignerJson.Serialize(this);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(MediaType)) errors.Add("$.mediaType: required");
        else if (!BundleMediaTypes.LooksLikeBundle(MediaType)) errors.Add($"$.mediaType: '{MediaType}' is not a Sigstore bundle media type");
        if (VerificationMaterial is null) errors.Add("$.verificationMaterial: required");
        else errors.AddRange(VerificationMaterial.Validate("$.verificationMaterial"));
        switch (MessageSignature, DsseEnvelope)
        {
            case (null, null): errors.Add("$: one of messageSignature or dsseEnvelope is required"); break;
            case (not null, not null): errors.Add("$: messageSignature and dsseEnvelope are mutually exclusive"); break;
            case (not null, null): errors.AddRange(MessageSignature.Validate("$.messageSignature")); break;
            case (null, not null):
                errors.AddRange(DsseEnvelope.Validate("$.dsseEnvelope"));
                if (DsseEnvelope.Signatures is { Count: > 1 }) errors.Add("$.dsseEnvelope.signatures: a bundle carries exactly one signature");
                break;
        }
        return errors;
    }
}

/// <summary>Spec: sigstore_bundle.proto <c>VerificationMaterial</c>; exactly one of publicKey / x509CertificateChain / certificate.</summary>
public sealed record VerificationMaterial
{
    [JsonPropertyName("publicKey")] public PublicKeyIdentifier? PublicKey { get; init; }
    [JsonPropertyName("x509CertificateChain")] public JsonElement? X509CertificateChain { get; init; }
    [JsonPropertyName("certificate")] public JsonElement? Certificate { get; init; }
    [JsonPropertyName("tlogEntries")] public IReadOnlyList<JsonElement>? TlogEntries { get; init; }
    [JsonPropertyName("timestampVerificationData")] public JsonElement? TimestampVerificationData { get; init; }

    public IEnumerable<string> Validate(string path)
    {
        var count = (PublicKey is null ? 0 : 1) + (X509CertificateChain is null ? 0 : 1) + (Certificate is null ? 0 : 1);
        if (count == 0) yield return $"{path}: one of publicKey, x509CertificateChain or certificate is required";
        if (count > 1) yield return $"{path}: publicKey, x509CertificateChain and certificate are mutually exclusive";
        if (PublicKey is not null && PublicKey.Hint is null) yield return $"{path}.publicKey.hint: required";
        if (TlogEntries is { Count: > 64 }) yield return $"{path}.tlogEntries: {TlogEntries.Count} entries, limit 64";
    }
}

/// <summary>Spec: sigstore_common.proto <c>PublicKeyIdentifier</c>. The hint is unauthenticated.</summary>
public sealed record PublicKeyIdentifier
{
    [JsonPropertyName("hint")] public string? Hint { get; init; }
}

/// <summary>Spec: sigstore_common.proto <c>MessageSignature</c>: a signature over the artifact bytes.</summary>
public sealed record MessageSignature
{
    [JsonPropertyName("messageDigest")] public HashOutput? MessageDigest { get; init; }
    [JsonPropertyName("signature")] public byte[]? Signature { get; init; }

    public IEnumerable<string> Validate(string path)
    {
        if (Signature is null || Signature.Length == 0) yield return $"{path}.signature: required";
        if (MessageDigest is null) yield return $"{path}.messageDigest: required (we always check it)";
        else
        {
            if (MessageDigest.Algorithm is null) yield return $"{path}.messageDigest.algorithm: required";
            if (MessageDigest.Digest is null || MessageDigest.Digest.Length == 0) yield return $"{path}.messageDigest.digest: required";
            else if (MessageDigest.Algorithm == HashOutput.Sha256 && MessageDigest.Digest.Length != 32)
                yield return $"{path}.messageDigest.digest: SHA2_256 digest must be 32 bytes, got {MessageDigest.Digest.Length}";
        }
    }
}

/// <summary>Spec: sigstore_common.proto <c>HashOutput</c>; algorithm is the enum name, e.g. <c>SHA2_256</c>.</summary>
public sealed record HashOutput
{
    public const string Sha256 = "SHA2_256";

    [JsonPropertyName("algorithm")] public string? Algorithm { get; init; }
    [JsonPropertyName("digest")] public byte[]? Digest { get; init; }
}
