using AtymSecure.Formats.Container;
using AtymSecure.Formats.Wasm;

namespace AtymSecure.Container.Build;

/// <summary>
/// Checks that a parsed module fits its container config: imports granted (see <see cref="ImportPolicy"/>),
/// entrypoint and probe exported with the signatures the runtime calls (docs/device-api.md#execution-model),
/// and linear memory within the resource limit. Returns every problem, in words that name the import,
/// export or limit involved.
/// </summary>
public static class ModuleCompatibility
{
    private static readonly WasmValueType[] NoValues = [];
    private static readonly WasmValueType[] I32Result = [WasmValueType.I32];

    public static IReadOnlyList<string> Check(WasmModule module, ContainerConfig config)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<string>();
        problems.AddRange(ImportPolicy.Check(module, config.Permissions).Select(v => v.Message));

        if (config.Entrypoint == ContainerConfig.StartEntrypoint)
            CheckExport(module, config.Entrypoint, "entrypoint", NoValues, NoValues, problems);
        else
            CheckExport(module, config.Entrypoint, "entrypoint", NoValues, I32Result, problems);
        if (config.HealthCheck is { } health)
            CheckExport(module, health.Probe, "health probe", NoValues, I32Result, problems);

        if (module.Memories.Count > 1)
            problems.Add($"module declares {module.Memories.Count} memories; the device runtime supports one");
        if (module.Memories.Count > 0)
        {
            var memory = module.Memories[0];
            if (memory.Limits.Is64) problems.Add("module uses a 64-bit memory; the device runtime supports 32-bit memories only");
            else if (memory.Limits.Shared) problems.Add("module uses a shared memory; the device runtime does not support threads");
            if ((long)Math.Min(memory.MinimumBytes, long.MaxValue) > config.Resources.MaxMemoryBytes)
                problems.Add($"module needs {memory.MinimumBytes} bytes of linear memory at start, above resources.maxMemoryBytes {config.Resources.MaxMemoryBytes}");
        }
        return problems;
    }

    private static void CheckExport(WasmModule module, string name, string role,
        WasmValueType[] parameters, WasmValueType[] results, List<string> problems)
    {
        var expected = new WasmFunctionType(parameters, results);
        var export = module.FindExport(name);
        if (export is null)
        {
            problems.Add($"{role} '{name}' is not exported by the module (exports: {string.Join(", ", module.Exports.Select(e => e.Name))})");
            return;
        }
        if (export.Kind != WasmExternalKind.Function)
        {
            problems.Add($"{role} '{name}' is exported as a {export.Kind.ToString().ToLowerInvariant()}, not a function");
            return;
        }
        var actual = module.GetExportedFunctionType(name)!;
        if (!actual.Matches(parameters, results))
            problems.Add($"{role} '{name}' has signature {actual}, the runtime calls it as {expected}");
    }
}
