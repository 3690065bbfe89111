using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace AtymSecure.Signer.Wire;

/// <summary>
/// An in-toto Statement. Spec: https://github.com/in-toto/attestation/blob/v1.1.1/spec/v1/statement.md
/// We write v1; on read v0.1 (what legacy cosign attestations carry) is also accepted.
/// </summary>
public sealed partial record InTotoStatement : IValidatable
{
    public const string TypeV1 = "https://in-toto.io/Statement/v1";
    public const string TypeV01 = "https://in-toto.io/Statement/v0.1";
    public const string PayloadType = "application/vnd.in-toto+json";
    public const int MaxBytes = 4 * 1024 * 1024;
    public const int MaxSubjects = 1024;

    [JsonPropertyName("_type")] public string? Type { get; init; } = TypeV1;
    [JsonPropertyName("subject")] public IReadOnlyList<ResourceDescriptor>? Subject { get; init; }
    [JsonPropertyName("predicateType")] public string? PredicateType { get; init; }
    [JsonPropertyName("predicate")] public JsonElement? Predicate { get; init; }

    public static InTotoStatement Parse(ReadOnlySpan<byte> json) => SignerJson.Parse<InTotoStatement>(json, MaxBytes, "in-toto statement");

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Type != TypeV1 && Type != TypeV01) errors.Add($"$._type: '{Type}' is not {TypeV1}");
        if (Subject is null || Subject.Count == 0) errors.Add("$.subject: at least one subject is required");
        else if (Subject.Count > MaxSubjects) errors.Add($"$.subject: {Subject.Count} subjects, limit {MaxSubjects}");
        else for (var i = 0; i < Subject.Count; i++)
        {
            if (Subject[i] is null) errors.Add($"$.subject[{i}]: null");
            else errors.AddRange(Subject[i].Validate($"$.subject[{i}]", requireDigest: true));
        }
        if (string.IsNullOrEmpty(PredicateType)) errors.Add("$.predicateType: required");
        else if (!Uri.TryCreate(PredicateType, UriKind.Absolute, out _)) errors.Add($"$.predicateType: '{PredicateType}' is not an absolute URI");
        if (Predicate is { } p && p.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            errors.Add("$.predicate: must be a JSON object");
        return errors;
    }

    /// <summary>True when some subject carries exactly this <c>algorithm:hex</c> digest.</summary>
    public bool HasSubjectDigest(string algorithm, string hex) =>
        Subject?.Any(s => s?.Digest is { } d && d.TryGetValue(algorithm, out var v) && string.Equals(v, hex, StringComparison.Ordinal)) == true;

    [GeneratedRegex("^[a-f0-9]+$", RegexOptions.CultureInvariant)]
    internal static partial Regex LowerHex();
}

/// <summary>
/// An in-toto ResourceDescriptor (statement subject, SLSA dependency).
/// Spec: https://github.com/in-toto/attestation/blob/v1.1.1/spec/v1/resource_descriptor.md
/// </summary>
public sealed record ResourceDescriptor
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("uri")] public string? Uri { get; init; }
    [JsonPropertyName("digest")] public IReadOnlyDictionary<string, string>? Digest { get; init; }
    [JsonPropertyName("content")] public byte[]? Content { get; init; }
    [JsonPropertyName("downloadLocation")] public string? DownloadLocation { get; init; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("annotations")] public JsonElement? Annotations { get; init; }

    public IEnumerable<string> Validate(string path, bool requireDigest)
    {
        if (Name is null && Uri is null && Digest is null && Content is null)
            yield return $"{path}: one of name, uri, digest or content is required";
        if (requireDigest && (Digest is null || Digest.Count == 0)) yield return $"{path}.digest: required";
        if (Digest is null) yield break;
        foreach (var (algorithm, value) in Digest)
        {
            int? expected = algorithm switch { "sha256" => 64, "sha384" => 96, "sha512" => 128, "sha1" => 40, _ => null };
            if (string.IsNullOrEmpty(value)) yield return $"{path}.digest.{algorithm}: empty";
            else if (expected is { } len && (value.Length != len || !InTotoStatement.LowerHex().IsMatch(value)))
                yield return $"{path}.digest.{algorithm}: must be {len} lowercase hex characters";
        }
    }
}
