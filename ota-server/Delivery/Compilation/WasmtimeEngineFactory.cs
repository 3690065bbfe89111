using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Runtime.Engines;
using Wasmtime;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// Builds a Wasmtime engine exactly as a compilation key says. The same settings must be used to compile and
/// to load an artifact (Wasmtime rejects a mismatch at load), so compilers, tests and any .NET-hosted runtime
/// share this one factory.
/// </summary>
public static class WasmtimeEngineFactory
{
    /// <summary>Targets the x86_64 libwasmtime can compile for without aborting the process.</summary>
    public static IReadOnlySet<string> InProcessTargets { get; } =
        new HashSet<string>(["x86_64-unknown-linux-gnu", "pulley64"], StringComparer.Ordinal);

    /// <summary>A new engine for <paramref name="key"/>; the target must be one of <see cref="InProcessTargets"/>.</summary>
    public static Engine CreateEngine(CompilationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.BackEnd != AotBackEndKind.WasmtimeCranelift)
            throw new AotTargetNotSupportedException($"key is for back end {key.BackEnd}, not Wasmtime");
        if (!InProcessTargets.Contains(key.Triple))
            throw new AotTargetNotSupportedException(
                $"target '{key.Triple}' cannot be built by the in-process x86_64 Wasmtime library (it aborts the process); " +
                $"in-process targets: {string.Join(", ", InProcessTargets)}. aarch64 is compiled by {nameof(WasmtimeWorkerCompiler)} under qemu-aarch64.");
        var config = new Config();
        try
        {
            config.WithOptimizationLevel(ParseOptimizationLevel(key.Engine.OptimizationLevel))
                  .WithEpochInterruption(key.Engine.EpochInterruption)
                  .WithFuelConsumption(key.Engine.ConsumeFuel);
            if (key.Engine.BoundsChecks != BoundsCheckMode.GuardPages)
                throw new AotTargetNotSupportedException("Wasmtime keys use guard-page bounds checks (the engine default)");
            try
            {
                NativeConfig.SetTarget(config, key.Triple);
            }
            catch (EngineConfigurationException e)
            {
                throw new AotTargetNotSupportedException(e.Message);
            }
            foreach (var flag in key.CpuFeatures.Order(StringComparer.Ordinal))
                NativeConfig.EnableCraneliftFlag(config, flag);
            return new Engine(config); // takes ownership of the native config
        }
        catch
        {
            config.Dispose();
            throw;
        }
    }

    /// <summary>Maps the key's optimisation level to the .NET enum.</summary>
    public static OptimizationLevel ParseOptimizationLevel(string level) => level switch
    {
        "none" => OptimizationLevel.None,
        "speed" => OptimizationLevel.Speed,
        "speed_and_size" => OptimizationLevel.SpeedAndSize,
        _ => throw new AotCompilationException($"unknown Wasmtime optimisation level '{level}' (none, speed, speed_and_size)"),
    };

    /// <summary>The worker command-line options that reproduce <see cref="CreateEngine"/>'s settings.</summary>
    public static IReadOnlyList<string> WorkerOptions(CompilationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ParseOptimizationLevel(key.Engine.OptimizationLevel);
        var options = new List<string>
        {
            "--opt", key.Engine.OptimizationLevel,
            "--epoch", key.Engine.EpochInterruption ? "1" : "0",
            "--fuel", key.Engine.ConsumeFuel ? "1" : "0",
        };
        foreach (var flag in key.CpuFeatures.Order(StringComparer.Ordinal)) options.AddRange(["--enable", flag]);
        return options;
    }
}
