using System.Text.Json.Serialization;

namespace AtymSecure.Signer.Wire;

/// <summary>
/// A DSSE envelope. Spec: https://github.com/secure-systems-lab/dsse/blob/v1.0.2/envelope.md
/// (bytes are standard base64 in JSON; the signature covers <see cref="Pae"/> of type and payload).
/// </summary>
public sealed record DsseEnvelope : IValidatable
{
    public const string MediaType = "application/vnd.dsse.envelope.v1+json";
    public const int MaxBytes = 4 * 1024 * 1024;
    public const int MaxSignatures = 16;

    [JsonPropertyName("payload")] public byte[]? Payload { get; init; }
    [JsonPropertyName("payloadType")] public string? PayloadType { get; init; }
    [JsonPropertyName("signatures")] public IReadOnlyList<DsseSignature>? Signatures { get; init; }

    public static DsseEnvelope Parse(ReadOnlySpan<byte> json) => SignerJson.Parse<DsseEnvelope>(json, MaxBytes, "DSSE envelope");

    public IReadOnlyList<string> Validate() => Validate("$");

    public IReadOnlyList<string> Validate(string path)
    {
        var errors = new List<string>();
        if (Payload is null) errors.Add($"{path}.payload: required");
        if (string.IsNullOrEmpty(PayloadType)) errors.Add($"{path}.payloadType: required");
        if (Signatures is null || Signatures.Count == 0) errors.Add($"{path}.signatures: at least one signature is required");
        else if (Signatures.Count > MaxSignatures) errors.Add($"{path}.signatures: {Signatures.Count} signatures, limit {MaxSignatures}");
        else for (var i = 0; i < Signatures.Count; i++)
        {
            var s = Signatures[i];
            if (s is null) errors.Add($"{path}.signatures[{i}]: null");
            else if (s.Sig is null || s.Sig.Length == 0) errors.Add($"{path}.signatures[{i}].sig: required");
        }
        return errors;
    }

    /// <summary>The bytes that the signatures cover.</summary>
    public byte[] PreAuthenticationEncoding() => Pae.Encode(PayloadType ?? "", Payload ?? []);
}

/// <summary>One signature in a DSSE envelope; <c>keyid</c> is an unauthenticated hint.</summary>
public sealed record DsseSignature
{
    [JsonPropertyName("sig")] public byte[]? Sig { get; init; }
    [JsonPropertyName("keyid")] public string? KeyId { get; init; }
}
