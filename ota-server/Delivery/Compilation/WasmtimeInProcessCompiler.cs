using System.Runtime.InteropServices;
using AtymSecure.Engines;
using AtymSecure.Formats.DeviceClasses;
using Wasmtime;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// Wasmtime/Cranelift in this process, for the targets the x86_64 library can build: x86_64 Linux and pulley64.
/// Each compilation uses a fresh engine, built by the device's own <see cref="EngineFactory"/> from the key's
/// engine profile (<see cref="WasmtimeKeys.ToProfile"/>), so no state carries over between artifacts and the
/// settings are exactly those a device of the class loads with.
/// </summary>
public sealed class WasmtimeInProcessCompiler : IAotCompiler
{
    /// <summary>Targets the x86_64 libwasmtime can compile for without aborting the process.</summary>
    public static IReadOnlySet<string> InProcessTargets { get; } =
        new HashSet<string>(["x86_64-unknown-linux-gnu", "pulley64"], StringComparer.Ordinal);

    public AotBackEndKind BackEnd => AotBackEndKind.WasmtimeCranelift;

    public bool Supports(CompilationKey key) =>
        key is { BackEnd: AotBackEndKind.WasmtimeCranelift } &&
        key.BackEndVersion == BackEndVersions.Wasmtime &&
        InProcessTargets.Contains(key.Triple) &&
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    public async Task<CompiledArtifact> CompileAsync(ReadOnlyMemory<byte> wasm, CompilationKey key, string? deviceClass, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        AotCompilerGuards.RequireValidKey(key);
        AotCompilerGuards.RequireWasmHeader(wasm.Span);
        if (!Supports(key))
            throw new AotTargetNotSupportedException(
                $"{nameof(WasmtimeInProcessCompiler)} cannot build '{key.Triple}' (Wasmtime {key.BackEndVersion}) on this host; " +
                $"it builds {string.Join(", ", InProcessTargets)} with Wasmtime {BackEndVersions.Wasmtime} on linux-x64");
        ct.ThrowIfCancellationRequested();
        var output = await Task.Run(() => Compile(wasm, key, deviceClass), ct).ConfigureAwait(false);
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

    private static byte[] Compile(ReadOnlyMemory<byte> wasm, CompilationKey key, string? deviceClass)
    {
        using var engine = CreateEngine(key, deviceClass);
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

    private static Engine CreateEngine(CompilationKey key, string? deviceClass)
    {
        try
        {
            return EngineFactory.Create(WasmtimeKeys.ToProfile(key, deviceClass));
        }
        catch (EngineConfigurationException e)
        {
            throw new AotTargetNotSupportedException(e.Message, e);
        }
    }
}
