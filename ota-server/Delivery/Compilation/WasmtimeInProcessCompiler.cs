using System.Runtime.InteropServices;
using AtymSecure.Formats.DeviceClasses;
using Wasmtime;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// Wasmtime/Cranelift in this process, for the targets the x86_64 library can build: x86_64 Linux and pulley64.
/// Each compilation uses a fresh engine, so no state carries over between artifacts.
/// </summary>
public sealed class WasmtimeInProcessCompiler : IAotCompiler
{
    public AotBackEndKind BackEnd => AotBackEndKind.WasmtimeCranelift;

    public bool Supports(CompilationKey key) =>
        key is { BackEnd: AotBackEndKind.WasmtimeCranelift } &&
        key.BackEndVersion == BackEndVersions.Wasmtime &&
        WasmtimeEngineFactory.InProcessTargets.Contains(key.Triple) &&
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    public async Task<CompiledArtifact> CompileAsync(ReadOnlyMemory<byte> wasm, CompilationKey key, string? deviceClass, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        AotCompilerGuards.RequireValidKey(key);
        AotCompilerGuards.RequireWasmHeader(wasm.Span);
        if (!Supports(key))
            throw new AotTargetNotSupportedException(
                $"{nameof(WasmtimeInProcessCompiler)} cannot build '{key.Triple}' (Wasmtime {key.BackEndVersion}) on this host; " +
                $"it builds {string.Join(", ", WasmtimeEngineFactory.InProcessTargets)} with Wasmtime {BackEndVersions.Wasmtime} on linux-x64");
        ct.ThrowIfCancellationRequested();
        var output = await Task.Run(() => Compile(wasm, key), ct).ConfigureAwait(false);
        var library = WasmtimeNativeLibraries.Find("linux-x64");
        var recipe = RecipeBuilder.Create(wasm.Span, output, key, deviceClass,
            tools: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["wasmtime"] = $"{BackEndVersions.Wasmtime} (NuGet Wasmtime, in-process, linux-x64)",
            },
            inputs: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["runtimes/linux-x64/native/libwasmtime.so"] = RecipeBuilder.FileDigest(library),
            },
            steps:
            [
                "wasm_config_new; wasmtime_config_target_set " + key.Triple + "; " +
                string.Join("; ", key.CpuFeatures.Order(StringComparer.Ordinal).Select(f => "wasmtime_config_cranelift_flag_enable " + f)) +
                $"; opt_level={key.Engine.OptimizationLevel}; epoch_interruption={key.Engine.EpochInterruption}; consume_fuel={key.Engine.ConsumeFuel}",
                "Module.FromBytes(module.wasm); Module.Serialize() > module.cwasm",
            ]);
        return new CompiledArtifact(output, recipe);
    }

    private static byte[] Compile(ReadOnlyMemory<byte> wasm, CompilationKey key)
    {
        using var engine = WasmtimeEngineFactory.CreateEngine(key);
        try
        {
            using var module = Module.FromBytes(engine, "module", wasm.Span);
            return module.Serialize();
        }
        catch (WasmtimeException ex)
        {
            throw new AotCompilationException($"Wasmtime could not compile the module for '{key.Triple}': {ex.Message}", ex);
        }
    }
}
