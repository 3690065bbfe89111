using AtymSecure.Primitives;

namespace AtymSecure.Formats.Container;

/// <summary>
/// The Atym container config, schema version 1: what a container is, what it may touch and how the device
/// runs and supervises it. Travels as the blob <see cref="ContainerMediaTypes.ContainerConfig"/>; the
/// developer writes it as atym.yaml. Field reference: docs/container-format.md#container-config;
/// JSON Schema: docs/schemas/container-config.v1.schema.json. Check with <see cref="ContainerConfigValidator"/>.
/// </summary>
public sealed record ContainerConfig
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Lowercase DNS-label-like name, e.g. <c>sensor-filter</c>.</summary>
    public string Name { get; init; } = "";

    public SemanticVersion? Version { get; init; }

    public string? Description { get; init; }

    /// <summary><c>_start</c> (WASI command, run to completion) or an exported step function <c>() -&gt; i32</c>.</summary>
    public string Entrypoint { get; init; } = StartEntrypoint;

    public const string StartEntrypoint = "_start";

    /// <summary>Default values; a deployment may override them. Seen by the module as its WASI environment.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<Capability> Permissions { get; init; } = [];

    public ResourceLimits Resources { get; init; } = new();

    public HealthCheck? HealthCheck { get; init; }

    public RestartPolicy Restart { get; init; } = new();

    /// <summary>Oldest Atym runtime able to run this container; null means any.</summary>
    public SemanticVersion? MinRuntimeVersion { get; init; }

    /// <summary>Device class names (see DeviceClassTable); empty means every class.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>Named blobs shipped as extra layers, readable with <c>blob:&lt;name&gt;</c>.</summary>
    public IReadOnlyList<BlobReference> Blobs { get; init; } = [];

    public bool Grants(Capability capability) => Permissions.Contains(capability);

    /// <summary>By value: variables (in any order), permissions, targets and blobs (in order) and every other field.</summary>
    public bool Equals(ContainerConfig? other) =>
        other is not null
        && SchemaVersion == other.SchemaVersion && Name == other.Name && Version == other.Version && Description == other.Description
        && Entrypoint == other.Entrypoint && ValueEquality.Dictionaries(Variables, other.Variables)
        && ValueEquality.Lists(Permissions, other.Permissions) && Resources == other.Resources && HealthCheck == other.HealthCheck
        && Restart == other.Restart && MinRuntimeVersion == other.MinRuntimeVersion
        && ValueEquality.Lists(Targets, other.Targets) && ValueEquality.Lists(Blobs, other.Blobs);

    public override int GetHashCode() =>
        HashCode.Combine(Name, Version, Entrypoint, ValueEquality.DictionaryHash(Variables), ValueEquality.ListHash(Permissions), Resources, ValueEquality.ListHash(Blobs));
}

/// <summary>Resource ceilings the runtime enforces. docs/container-format.md#resources</summary>
public sealed record ResourceLimits
{
    public const long DefaultMaxMemoryBytes = 1024 * 1024;
    public const long DefaultMaxStackBytes = 64 * 1024;
    public const int DefaultCpuBudgetMs = 50;
    public const int DefaultSliceIntervalMs = 100;

    /// <summary>Largest linear memory the instance may grow to, in bytes (multiple of 64 KiB).</summary>
    public long MaxMemoryBytes { get; init; } = DefaultMaxMemoryBytes;

    /// <summary>Native/Wasm stack budget the engine reserves, in bytes.</summary>
    public long MaxStackBytes { get; init; } = DefaultMaxStackBytes;

    /// <summary>
    /// CPU time one call of the entrypoint or probe may run before the runtime interrupts it, in milliseconds.
    /// Time, not fuel: device engines run with epoch interruption and fuel off (docs/device-classes.md).
    /// </summary>
    public int CpuBudgetMs { get; init; } = DefaultCpuBudgetMs;

    /// <summary>Pause between slices (calls of a step entrypoint), in milliseconds.</summary>
    public int SliceIntervalMs { get; init; } = DefaultSliceIntervalMs;

    /// <summary>
    /// Log lines per second the container may write (device API log, stdout and stderr together; bursts of twice
    /// that); null = the device's default. Optional and written only when set, so configs without it keep their bytes.
    /// </summary>
    public int? LogLinesPerSecond { get; init; }
}

/// <summary>The exported probe the runtime calls during a trial and while running. docs/container-format.md#health-check</summary>
public sealed record HealthCheck
{
    public string Probe { get; init; } = "atym_health";

    public int IntervalMs { get; init; } = 1000;

    public int TimeoutMs { get; init; } = 250;

    /// <summary>Consecutive passing probes that confirm a trial.</summary>
    public int PassesToConfirm { get; init; } = 3;
}

public enum RestartMode
{
    Never,
    OnFailure,
    Always,
}

/// <summary>What the runtime does when the container exits or traps. docs/container-format.md#restart</summary>
public sealed record RestartPolicy
{
    public RestartMode Mode { get; init; } = RestartMode.OnFailure;

    /// <summary>Restarts before giving up; 0 means unlimited.</summary>
    public int MaxRetries { get; init; } = 5;

    public int BackoffInitialMs { get; init; } = 500;

    public int BackoffMaxMs { get; init; } = 30_000;

    /// <summary>Backoff growth factor, in percent (200 = doubling), kept integral for exact round trips.</summary>
    public int BackoffMultiplierPercent { get; init; } = 200;

    public static string ModeName(RestartMode mode) => mode switch
    {
        RestartMode.Never => "never",
        RestartMode.OnFailure => "on-failure",
        _ => "always",
    };
}

/// <summary>A named blob: digest and size of the layer that carries it.</summary>
public sealed record BlobReference(string Name, string MediaType, string Digest, long Size);
