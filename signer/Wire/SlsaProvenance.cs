using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtymSecure.Signer.Wire;

/// <summary>
/// SLSA Provenance v1 predicate. Spec: https://slsa.dev/spec/v1.0/provenance
/// </summary>
public sealed record SlsaProvenance : IValidatable
{
    public const string PredicateType = "https://slsa.dev/provenance/v1";
    public const int MaxBytes = 4 * 1024 * 1024;

    [JsonPropertyName("buildDefinition")] public SlsaBuildDefinition? BuildDefinition { get; init; }
    [JsonPropertyName("runDetails")] public SlsaRunDetails? RunDetails { get; init; }

    public static SlsaProvenance Parse(ReadOnlySpan<byte> json) => SignerJson.Parse<SlsaProvenance>(json, MaxBytes, "SLSA provenance");

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BuildDefinition is null) errors.Add("$.buildDefinition: required");
        else
        {
            if (string.IsNullOrEmpty(BuildDefinition.BuildType)) errors.Add("$.buildDefinition.buildType: required");
            else if (!Uri.TryCreate(BuildDefinition.BuildType, UriKind.Absolute, out _))
                errors.Add("$.buildDefinition.buildType: must be an absolute URI");
            if (BuildDefinition.ExternalParameters is not { ValueKind: JsonValueKind.Object })
                errors.Add("$.buildDefinition.externalParameters: required object");
            var deps = BuildDefinition.ResolvedDependencies ?? [];
            for (var i = 0; i < deps.Count; i++)
                errors.AddRange(deps[i]?.Validate($"$.buildDefinition.resolvedDependencies[{i}]", requireDigest: false)
                    ?? [$"$.buildDefinition.resolvedDependencies[{i}]: null"]);
        }
        if (RunDetails is null) errors.Add("$.runDetails: required");
        else if (string.IsNullOrEmpty(RunDetails.Builder?.Id)) errors.Add("$.runDetails.builder.id: required");
        return errors;
    }
}

public sealed record SlsaBuildDefinition
{
    [JsonPropertyName("buildType")] public string? BuildType { get; init; }
    [JsonPropertyName("externalParameters")] public JsonElement? ExternalParameters { get; init; }
    [JsonPropertyName("internalParameters")] public JsonElement? InternalParameters { get; init; }
    [JsonPropertyName("resolvedDependencies")] public IReadOnlyList<ResourceDescriptor>? ResolvedDependencies { get; init; }
}

public sealed record SlsaRunDetails
{
    [JsonPropertyName("builder")] public SlsaBuilder? Builder { get; init; }
    [JsonPropertyName("metadata")] public SlsaBuildMetadata? Metadata { get; init; }
    [JsonPropertyName("byproducts")] public IReadOnlyList<ResourceDescriptor>? Byproducts { get; init; }
}

public sealed record SlsaBuilder
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("version")] public IReadOnlyDictionary<string, string>? Version { get; init; }
    [JsonPropertyName("builderDependencies")] public IReadOnlyList<ResourceDescriptor>? BuilderDependencies { get; init; }
}

public sealed record SlsaBuildMetadata
{
    [JsonPropertyName("invocationId")] public string? InvocationId { get; init; }
    [JsonPropertyName("startedOn")] public DateTimeOffset? StartedOn { get; init; }
    [JsonPropertyName("finishedOn")] public DateTimeOffset? FinishedOn { get; init; }
}
