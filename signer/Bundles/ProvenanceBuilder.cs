using System.Text.Json;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Bundles;

/// <summary>What the build step knows about how a container was made.</summary>
public sealed record BuildRecord
{
    /// <summary>Who built it, e.g. <c>https://atym.dev/builders/atym-cli@1</c> or a CI runner URI.</summary>
    public required string BuilderId { get; init; }

    /// <summary>Parameters the user controlled (project file, target device classes, ...).</summary>
    public IReadOnlyDictionary<string, string> ExternalParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Inputs with their digests (the .wasm module, atym.yaml, blobs, sources).</summary>
    public IReadOnlyList<ResourceDescriptor> Materials { get; init; } = [];

    public string? InvocationId { get; init; }
    public DateTimeOffset? StartedOn { get; init; }
    public DateTimeOffset? FinishedOn { get; init; }
    public IReadOnlyDictionary<string, string>? BuilderVersion { get; init; }
}

/// <summary>Turns a <see cref="BuildRecord"/> into a SLSA provenance v1 predicate.</summary>
public static class ProvenanceBuilder
{
    /// <summary>Our build type; its parameters are documented in docs/signing.md.</summary>
    public const string AtymBuildType = "https://atym.dev/buildtypes/container/v1";

    public static SlsaProvenance Build(BuildRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new SlsaProvenance
        {
            BuildDefinition = new SlsaBuildDefinition
            {
                BuildType = AtymBuildType,
                ExternalParameters = JsonSerializer.SerializeToElement(record.ExternalParameters, SignerJson.Options),
                ResolvedDependencies = record.Materials,
            },
            RunDetails = new SlsaRunDetails
            {
                Builder = new SlsaBuilder { Id = record.BuilderId, Version = record.BuilderVersion },
                Metadata = new SlsaBuildMetadata
                {
                    InvocationId = record.InvocationId,
                    StartedOn = record.StartedOn?.ToUniversalTime(),
                    FinishedOn = record.FinishedOn?.ToUniversalTime(),
                },
            },
        };
    }
}
