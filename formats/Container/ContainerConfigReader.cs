using AtymSecure.Primitives;
using static AtymSecure.Formats.Container.ConfigProblemCodes;

namespace AtymSecure.Formats.Container;

/// <summary>
/// Maps a <see cref="ConfigNode"/> document onto <see cref="ContainerConfig"/>, then validates it, reporting
/// every structural and semantic problem at once with its JSON path. Field names are the camelCase names of
/// docs/schemas/container-config.v1.schema.json.
/// </summary>
public static class ContainerConfigReader
{
    /// <summary>Reads and validates; throws <see cref="ContainerConfigException"/> listing every problem.</summary>
    public static ContainerConfig Read(ConfigNode root)
    {
        var (config, errors) = TryRead(root);
        return errors.Count == 0 ? config! : throw new ContainerConfigException(errors);
    }

    /// <summary>Reads and validates; the config is null only when the root is not an object.</summary>
    public static (ContainerConfig? Config, IReadOnlyList<Problem> Problems) TryRead(ConfigNode root)
    {
        var errors = new List<Problem>();
        var indexMaps = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var config = ReadStructure(root, errors, indexMaps);
        if (config is null) return (null, errors);
        // A field with a structural error already has its message; don't repeat it from the validator.
        var reported = errors.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(ContainerConfigValidator.Validate(config)
            .Select(e => e with { Path = ToDocumentPath(e.Path, indexMaps) })
            .Where(e => !reported.Contains(e.Path)));
        return (config, errors);
    }

    /// <summary>
    /// Array items that failed to read are left out of the model, so the validator's index i of
    /// permissions/targets/blobs is mapped back to the item's index in the document.
    /// </summary>
    private static string ToDocumentPath(string path, Dictionary<string, List<int>> indexMaps)
    {
        foreach (var (array, map) in indexMaps)
        {
            var prefix = $"$.{array}[";
            if (!path.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var close = path.IndexOf(']', prefix.Length);
            if (close < 0 || !int.TryParse(path.AsSpan(prefix.Length, close - prefix.Length), System.Globalization.CultureInfo.InvariantCulture, out var i) || i >= map.Count)
                continue;
            return $"{prefix}{map[i]}{path[close..]}";
        }
        return path;
    }

    private static ContainerConfig? ReadStructure(ConfigNode root, List<Problem> errors, Dictionary<string, List<int>> indexMaps)
    {
        var r = ConfigFieldReader.Open(root, "$", errors);
        if (r is null) return null;
        var defaults = new ContainerConfig();
        var config = new ContainerConfig
        {
            SchemaVersion = (int?)r.Integer("schemaVersion", 1, int.MaxValue) ?? defaults.SchemaVersion,
            Name = r.String("name", required: true) ?? "",
            Version = ReadVersion(r, "version", required: true),
            Description = r.String("description"),
            Entrypoint = r.String("entrypoint") ?? defaults.Entrypoint,
            Variables = ReadVariables(r),
            Permissions = ReadPermissions(r, indexMaps["permissions"] = []),
            Resources = ReadResources(r) ?? defaults.Resources,
            HealthCheck = ReadHealthCheck(r),
            Restart = ReadRestart(r) ?? defaults.Restart,
            MinRuntimeVersion = ReadVersion(r, "minRuntimeVersion", required: false),
            Targets = ReadStrings(r, "targets", indexMaps["targets"] = []),
            Blobs = ReadBlobs(r, indexMaps["blobs"] = []),
        };
        r.RejectUnknown();
        return config;
    }

    private static SemanticVersion? ReadVersion(ConfigFieldReader r, string key, bool required)
    {
        var text = r.String(key, required);
        if (text is null) return null;
        if (SemanticVersion.TryParse(text, out var v, out var error)) return v;
        r.Error(InvalidVersion, ConfigPath.Field(r.Path, key), $"'{text}' is not a SemVer 2.0 version: {error}");
        return null;
    }

    private static SortedDictionary<string, string> ReadVariables(ConfigFieldReader parent)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var r = parent.Object("variables");
        if (r is null) return result;
        foreach (var (key, node) in r.All())
        {
            var value = r.AsString(node, ConfigPath.Field(r.Path, key));
            if (value is not null) result[key] = value;
        }
        return result;
    }

    private static List<Capability> ReadPermissions(ConfigFieldReader r, List<int> indexMap)
    {
        var result = new List<Capability>();
        var items = r.List("permissions");
        if (items is null) return result;
        for (var i = 0; i < items.Count; i++)
        {
            var path = ConfigPath.Index(ConfigPath.Field(r.Path, "permissions"), i);
            var text = r.AsString(items[i], path);
            if (text is null) continue;
            if (Capability.TryParse(text, out var capability, out var error))
            {
                result.Add(capability);
                indexMap.Add(i);
            }
            else
            {
                r.Error(InvalidCapability, path, error);
            }
        }
        return result;
    }

    private static List<string> ReadStrings(ConfigFieldReader r, string key, List<int> indexMap)
    {
        var result = new List<string>();
        var items = r.List(key);
        if (items is null) return result;
        for (var i = 0; i < items.Count; i++)
        {
            var text = r.AsString(items[i], ConfigPath.Index(ConfigPath.Field(r.Path, key), i));
            if (text is null) continue;
            result.Add(text);
            indexMap.Add(i);
        }
        return result;
    }

    private static ResourceLimits? ReadResources(ConfigFieldReader parent)
    {
        var r = parent.Object("resources");
        if (r is null) return null;
        var d = new ResourceLimits();
        var result = new ResourceLimits
        {
            MaxMemoryBytes = r.Integer("maxMemoryBytes", 0, long.MaxValue) ?? d.MaxMemoryBytes,
            MaxStackBytes = r.Integer("maxStackBytes", 0, long.MaxValue) ?? d.MaxStackBytes,
            CpuBudgetMs = (int?)r.Integer("cpuBudgetMs", 0, int.MaxValue) ?? d.CpuBudgetMs,
            SliceIntervalMs = (int?)r.Integer("sliceIntervalMs", 0, int.MaxValue) ?? d.SliceIntervalMs,
            LogLinesPerSecond = (int?)r.Integer("logLinesPerSecond", 0, int.MaxValue),
        };
        r.RejectUnknown();
        return result;
    }

    private static HealthCheck? ReadHealthCheck(ConfigFieldReader parent)
    {
        var r = parent.Object("healthCheck");
        if (r is null) return null;
        var d = new HealthCheck();
        var result = new HealthCheck
        {
            Probe = r.String("probe", required: true) ?? d.Probe,
            IntervalMs = (int?)r.Integer("intervalMs", 0, int.MaxValue) ?? d.IntervalMs,
            TimeoutMs = (int?)r.Integer("timeoutMs", 0, int.MaxValue) ?? d.TimeoutMs,
            PassesToConfirm = (int?)r.Integer("passesToConfirm", 0, int.MaxValue) ?? d.PassesToConfirm,
        };
        r.RejectUnknown();
        return result;
    }

    private static RestartPolicy? ReadRestart(ConfigFieldReader parent)
    {
        var r = parent.Object("restart");
        if (r is null) return null;
        var d = new RestartPolicy();
        var modeText = r.String("policy");
        RestartMode? mode = modeText switch
        {
            null => d.Mode,
            "never" => RestartMode.Never,
            "on-failure" => RestartMode.OnFailure,
            "always" => RestartMode.Always,
            _ => null,
        };
        if (mode is null) r.Error(InvalidRestartPolicy, ConfigPath.Field(r.Path, "policy"), $"'{modeText}' is not one of never, on-failure, always");
        var result = new RestartPolicy
        {
            Mode = mode ?? d.Mode,
            MaxRetries = (int?)r.Integer("maxRetries", 0, int.MaxValue) ?? d.MaxRetries,
            BackoffInitialMs = (int?)r.Integer("backoffInitialMs", 0, int.MaxValue) ?? d.BackoffInitialMs,
            BackoffMaxMs = (int?)r.Integer("backoffMaxMs", 0, int.MaxValue) ?? d.BackoffMaxMs,
            BackoffMultiplierPercent = (int?)r.Integer("backoffMultiplierPercent", 0, int.MaxValue) ?? d.BackoffMultiplierPercent,
        };
        r.RejectUnknown();
        return result;
    }

    private static List<BlobReference> ReadBlobs(ConfigFieldReader parent, List<int> indexMap)
    {
        var result = new List<BlobReference>();
        var items = parent.List("blobs");
        if (items is null) return result;
        for (var i = 0; i < items.Count; i++)
        {
            var path = ConfigPath.Index(ConfigPath.Field(parent.Path, "blobs"), i);
            var errors = new List<Problem>();
            var r = ConfigFieldReader.Open(items[i], path, errors);
            if (r is not null)
            {
                var blob = new BlobReference(
                    r.String("name", required: true) ?? "",
                    r.String("mediaType", required: true) ?? "",
                    r.String("digest", required: true) ?? "",
                    r.Integer("size", 0, long.MaxValue) ?? -1);
                if (blob.Size < 0 && !errors.Any(e => e.Path == ConfigPath.Field(path, "size"))) r.Error(Required, ConfigPath.Field(path, "size"), "required");
                r.RejectUnknown();
                result.Add(blob);
                indexMap.Add(i);
            }
            foreach (var e in errors) parent.Error(e.Code, e.Path, e.Message);
        }
        return result;
    }
}
