using System.Text.RegularExpressions;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Primitives;
using static AtymSecure.Formats.Container.ConfigProblemCodes;

namespace AtymSecure.Formats.Container;

/// <summary>
/// Semantic rules of container config v1 (docs/container-format.md#container-config). Reports every problem
/// at once, each with its JSON path and the code of the rule it breaks (<see cref="ConfigProblemCodes"/>). The JSON Schema encodes the same bounds; a test keeps them in step.
/// </summary>
public static partial class ContainerConfigValidator
{
    public const int MaxDescriptionLength = 1024;
    public const int MaxVariables = 64;
    public const int MaxVariableValueLength = 4096;
    public const int MaxPermissions = 64;
    public const int MaxTargets = 16;
    public const int MaxBlobs = 32;
    public const long MaxBlobBytes = 256L * 1024 * 1024;
    public const long MinMemoryBytes = 65536;
    public const long MaxMemoryBytes = 4L * 1024 * 1024 * 1024;
    public const long MinStackBytes = 4096;
    public const long MaxStackBytes = 16L * 1024 * 1024;
    public const int MinCpuBudgetMs = 1;
    public const int MaxLogLinesPerSecond = 10_000;
    public const int MaxCpuBudgetMs = 60_000;
    public const int MaxIntervalMs = 3_600_000;

    /// <summary>Export names we accept for entrypoint and probe: C identifiers, at most 128 characters.</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$", RegexOptions.CultureInvariant)]
    public static partial Regex ExportNameGrammar();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex VariableNameGrammar();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$", RegexOptions.CultureInvariant)]
    private static partial Regex MediaTypeGrammar();

    public static IReadOnlyList<Problem> Validate(ContainerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var e = new List<Problem>();
        void Add(string code, string path, string message) => e.Add(new Problem(code, path, message));

        if (config.SchemaVersion != ContainerConfig.CurrentSchemaVersion)
            Add(UnsupportedSchemaVersion, "$.schemaVersion", $"{config.SchemaVersion} is not supported (this reader knows {ContainerConfig.CurrentSchemaVersion})");
        if (string.IsNullOrEmpty(config.Name)) Add(Required, "$.name", "required");
        else if (ContainerName.Check(config.Name, "$.name") is { } nameProblem) e.Add(nameProblem);
        if (config.Version is null) Add(Required, "$.version", "required");
        if (config.Description is { Length: > MaxDescriptionLength }) Add(TooLong, "$.description", $"longer than {MaxDescriptionLength} characters");
        if (!ExportNameGrammar().IsMatch(config.Entrypoint ?? ""))
            Add(InvalidExportName, "$.entrypoint", $"'{config.Entrypoint}' is not an export name ([A-Za-z_][A-Za-z0-9_]*, at most 128 characters)");

        if (config.Variables.Count > MaxVariables) Add(TooMany, "$.variables", $"{config.Variables.Count} variables, at most {MaxVariables}");
        foreach (var (key, value) in config.Variables)
        {
            var path = ConfigPath.Field("$.variables", key);
            if (!VariableNameGrammar().IsMatch(key)) Add(InvalidVariableName, path, $"variable name '{key}' must match [A-Za-z_][A-Za-z0-9_]{{0,63}}");
            if (value.Length > MaxVariableValueLength) Add(TooLong, path, $"value longer than {MaxVariableValueLength} characters");
        }

        ValidatePermissions(config, Add);
        ValidateResources(config.Resources, Add);
        if (config.HealthCheck is { } h) ValidateHealthCheck(h, config.Entrypoint, Add);
        ValidateRestart(config.Restart, Add);
        ValidateTargets(config.Targets, Add);
        ValidateBlobs(config.Blobs, Add);
        return e;
    }

    private static void ValidatePermissions(ContainerConfig config, Action<string, string, string> add)
    {
        if (config.Permissions.Count > MaxPermissions) add(TooMany, "$.permissions", $"{config.Permissions.Count} permissions, at most {MaxPermissions}");
        var seen = new HashSet<Capability>();
        var blobNames = config.Blobs.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < config.Permissions.Count; i++)
        {
            var p = config.Permissions[i];
            var path = $"$.permissions[{i}]";
            if (!seen.Add(p)) add(Duplicate, path, $"'{p}' is listed twice");
            if (p.Kind == CapabilityKind.Blob && !blobNames.Contains(p.Argument!))
                add(UnknownBlob, path, $"'{p}' names no blob in $.blobs");
        }
    }

    private static void ValidateResources(ResourceLimits r, Action<string, string, string> add)
    {
        if (r.MaxMemoryBytes < MinMemoryBytes || r.MaxMemoryBytes > MaxMemoryBytes)
            add(OutOfRange, "$.resources.maxMemoryBytes", $"{r.MaxMemoryBytes} is outside {MinMemoryBytes}..{MaxMemoryBytes}");
        else if (r.MaxMemoryBytes % 65536 != 0)
            add(NotPageMultiple, "$.resources.maxMemoryBytes", $"{r.MaxMemoryBytes} is not a multiple of the 65536-byte Wasm page");
        if (r.MaxStackBytes < MinStackBytes || r.MaxStackBytes > MaxStackBytes)
            add(OutOfRange, "$.resources.maxStackBytes", $"{r.MaxStackBytes} is outside {MinStackBytes}..{MaxStackBytes}");
        if (r.CpuBudgetMs < MinCpuBudgetMs || r.CpuBudgetMs > MaxCpuBudgetMs)
            add(OutOfRange, "$.resources.cpuBudgetMs", $"{r.CpuBudgetMs} is outside {MinCpuBudgetMs}..{MaxCpuBudgetMs}");
        if (r.SliceIntervalMs < 1 || r.SliceIntervalMs > MaxIntervalMs)
            add(OutOfRange, "$.resources.sliceIntervalMs", $"{r.SliceIntervalMs} is outside 1..{MaxIntervalMs}");
        if (r.LogLinesPerSecond is { } logRate && (logRate < 1 || logRate > MaxLogLinesPerSecond))
            add(OutOfRange, "$.resources.logLinesPerSecond", $"{logRate} is outside 1..{MaxLogLinesPerSecond}");
    }

    private static void ValidateHealthCheck(HealthCheck h, string? entrypoint, Action<string, string, string> add)
    {
        if (!ExportNameGrammar().IsMatch(h.Probe ?? ""))
            add(InvalidExportName, "$.healthCheck.probe", $"'{h.Probe}' is not an export name ([A-Za-z_][A-Za-z0-9_]*, at most 128 characters)");
        else if (h.Probe == entrypoint) add(ProbeIsEntrypoint, "$.healthCheck.probe", "must differ from the entrypoint");
        if (h.IntervalMs < 10 || h.IntervalMs > MaxIntervalMs) add(OutOfRange, "$.healthCheck.intervalMs", $"{h.IntervalMs} is outside 10..{MaxIntervalMs}");
        if (h.TimeoutMs < 1 || h.TimeoutMs > MaxIntervalMs) add(OutOfRange, "$.healthCheck.timeoutMs", $"{h.TimeoutMs} is outside 1..{MaxIntervalMs}");
        else if (h.TimeoutMs > h.IntervalMs) add(TimeoutExceedsInterval, "$.healthCheck.timeoutMs", $"{h.TimeoutMs} exceeds intervalMs {h.IntervalMs}");
        if (h.PassesToConfirm < 1 || h.PassesToConfirm > 100) add(OutOfRange, "$.healthCheck.passesToConfirm", $"{h.PassesToConfirm} is outside 1..100");
    }

    private static void ValidateRestart(RestartPolicy r, Action<string, string, string> add)
    {
        if (!Enum.IsDefined(r.Mode)) add(InvalidRestartPolicy, "$.restart.policy", $"{(int)r.Mode} is not a restart policy");
        if (r.MaxRetries < 0 || r.MaxRetries > 1000) add(OutOfRange, "$.restart.maxRetries", $"{r.MaxRetries} is outside 0..1000");
        if (r.BackoffInitialMs < 0 || r.BackoffInitialMs > MaxIntervalMs) add(OutOfRange, "$.restart.backoffInitialMs", $"{r.BackoffInitialMs} is outside 0..{MaxIntervalMs}");
        if (r.BackoffMaxMs < 0 || r.BackoffMaxMs > 24 * MaxIntervalMs) add(OutOfRange, "$.restart.backoffMaxMs", $"{r.BackoffMaxMs} is outside 0..{24 * MaxIntervalMs}");
        else if (r.BackoffMaxMs < r.BackoffInitialMs) add(BackoffBelowInitial, "$.restart.backoffMaxMs", $"{r.BackoffMaxMs} is below backoffInitialMs {r.BackoffInitialMs}");
        if (r.BackoffMultiplierPercent < 100 || r.BackoffMultiplierPercent > 1000)
            add(OutOfRange, "$.restart.backoffMultiplierPercent", $"{r.BackoffMultiplierPercent} is outside 100..1000");
    }

    private static void ValidateTargets(IReadOnlyList<string> targets, Action<string, string, string> add)
    {
        if (targets.Count > MaxTargets) add(TooMany, "$.targets", $"{targets.Count} targets, at most {MaxTargets}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < targets.Count; i++)
        {
            if (!DeviceClassTable.IsKnown(targets[i]))
                add(UnknownDeviceClass, $"$.targets[{i}]", $"unknown device class '{targets[i]}' (known: {string.Join(", ", DeviceClassTable.Names)})");
            else if (!seen.Add(targets[i])) add(Duplicate, $"$.targets[{i}]", $"'{targets[i]}' is listed twice");
        }
    }

    private static void ValidateBlobs(IReadOnlyList<BlobReference> blobs, Action<string, string, string> add)
    {
        if (blobs.Count > MaxBlobs) add(TooMany, "$.blobs", $"{blobs.Count} blobs, at most {MaxBlobs}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < blobs.Count; i++)
        {
            var b = blobs[i];
            var path = $"$.blobs[{i}]";
            if (string.IsNullOrEmpty(b.Name)) add(Required, path + ".name", "required");
            else if (Capability.CheckName(b.Name) is { } nameError) add(InvalidBlobName, path + ".name", nameError);
            else if (!names.Add(b.Name)) add(Duplicate, path + ".name", $"blob name '{b.Name}' is used twice");
            if (string.IsNullOrEmpty(b.MediaType)) add(Required, path + ".mediaType", "required");
            else if (!MediaTypeGrammar().IsMatch(b.MediaType)) add(InvalidMediaType, path + ".mediaType", $"'{b.MediaType}' is not a type/subtype media type");
            if (string.IsNullOrEmpty(b.Digest)) add(Required, path + ".digest", "required");
            else if (!Digest.IsSha256Text(b.Digest)) add(InvalidDigest, path + ".digest", $"'{b.Digest}' is not sha256:<64 lowercase hex>");
            if (b.Size < 0 || b.Size > MaxBlobBytes) add(OutOfRange, path + ".size", $"{b.Size} is outside 0..{MaxBlobBytes}");
        }
    }
}
