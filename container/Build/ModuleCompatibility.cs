using AtymSecure.Formats.Container;
using AtymSecure.Formats.Wasm;
using AtymSecure.Primitives;

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

    public static IReadOnlyList<Problem> Check(WasmModule module, ContainerConfig config)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<Problem>();
        void Add(string code, string path, string message) => problems.Add(new Problem(code, path, message));
        foreach (var v in ImportPolicy.Check(module, config.Permissions))
            Add(BuildProblemCodes.ImportNotGranted, $"imports['{v.Import.Module}.{v.Import.Name}']", v.Message);

        if (config.Entrypoint == ContainerConfig.StartEntrypoint)
            CheckExport(module, config.Entrypoint, "entrypoint", "entrypoint", NoValues, NoValues, problems);
        else
            CheckExport(module, config.Entrypoint, "entrypoint", "entrypoint", NoValues, I32Result, problems);
        if (config.HealthCheck is { } health)
            CheckExport(module, health.Probe, "health probe", "healthCheck.probe", NoValues, I32Result, problems);

        if (module.Memories.Count > 1)
            Add(BuildProblemCodes.MultipleMemories, "module.memories", $"module declares {module.Memories.Count} memories; the device runtime supports one");
        if (module.Memories.Count > 0)
        {
            var memory = module.Memories[0];
            if (memory.Limits.Is64)
                Add(BuildProblemCodes.UnsupportedMemory, "module.memories[0]", "module uses a 64-bit memory; the device runtime supports 32-bit memories only");
            else if (memory.Limits.Shared)
                Add(BuildProblemCodes.UnsupportedMemory, "module.memories[0]", "module uses a shared memory; the device runtime does not support threads");
            if ((long)Math.Min(memory.MinimumBytes, long.MaxValue) > config.Resources.MaxMemoryBytes)
                Add(BuildProblemCodes.MemoryAboveLimit, "resources.maxMemoryBytes",
                    $"module needs {memory.MinimumBytes} bytes of linear memory at start, above resources.maxMemoryBytes {config.Resources.MaxMemoryBytes}");
        }
        return problems;
    }

    private static void CheckExport(WasmModule module, string name, string role, string path,
        WasmValueType[] parameters, WasmValueType[] results, List<Problem> problems)
    {
        var expected = new WasmFunctionType(parameters, results);
        var export = module.FindExport(name);
        if (export is null)
        {
            problems.Add(new(BuildProblemCodes.ExportMissing, path, $"{role} '{name}' is not exported by the module (exports: {string.Join(", ", module.Exports.Select(e => e.Name))})"));
            return;
        }
        if (export.Kind != WasmExternalKind.Function)
        {
            problems.Add(new(BuildProblemCodes.ExportNotFunction, path, $"{role} '{name}' is exported as a {export.Kind.ToString().ToLowerInvariant()}, not a function"));
            return;
        }
        var actual = module.GetExportedFunctionType(name)!;
        if (!actual.Matches(parameters, results))
            problems.Add(new(BuildProblemCodes.ExportSignature, path, $"{role} '{name}' has signature {actual}, the runtime calls it as {expected}"));
    }
}
