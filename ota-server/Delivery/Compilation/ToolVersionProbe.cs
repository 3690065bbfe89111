using System.Collections.Concurrent;

namespace AtymSecure.Delivery.Compilation;

/// <summary>Reads tool versions (first line of <c>--version</c>) for recipes and for pinning checks; cached per process.</summary>
public static class ToolVersionProbe
{
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    /// <summary>First non-empty line the tool prints for <c>--version</c>.</summary>
    public static async Task<string> VersionLineAsync(string toolPath, CancellationToken ct)
    {
        if (Cache.TryGetValue(toolPath, out var cached)) return cached;
        var r = await ToolRunner.RunCheckedAsync(toolPath, ["--version"], Path.GetTempPath(), TimeSpan.FromSeconds(30), ct)
            .ConfigureAwait(false);
        var line = (r.StandardOutput + "\n" + r.StandardError)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault() ?? throw new AotCompilationException($"'{toolPath} --version' printed nothing");
        Cache[toolPath] = line;
        return line;
    }

    /// <summary>Throws <see cref="AotToolVersionException"/> unless wasm2c reports exactly <see cref="BackEndVersions.Wabt"/>.</summary>
    public static async Task<string> RequireWasm2cVersionAsync(string wasm2cPath, CancellationToken ct)
    {
        var version = await VersionLineAsync(wasm2cPath, ct).ConfigureAwait(false);
        if (version != BackEndVersions.Wabt)
            throw new AotToolVersionException(
                $"wasm2c at '{wasm2cPath}' reports version '{version}', but only wabt {BackEndVersions.Wabt} is supported: " +
                "its generated C names (Z_<module>Z_<export>) changed in later releases (wabt PR #2142). Install Debian bookworm's 'wabt' 1.0.32.");
        return version;
    }
}
