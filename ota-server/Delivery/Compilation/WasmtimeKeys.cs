using AtymSecure.Engines;
using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// Between compilation keys and the engine profile devices build their engine from (runtime/EngineProfile):
/// a Wasmtime class's key is made from its profile, and a Wasmtime key is compiled by an engine built from the
/// profile it names with the device's own <see cref="EngineFactory"/>. So the compiler cannot configure
/// Wasmtime differently from the devices that load its output.
/// </summary>
public static class WasmtimeKeys
{
    /// <summary>The key that records <paramref name="profile"/>'s code-changing settings.</summary>
    public static CompilationKey From(EngineProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.Target is null)
            throw new AotTargetNotSupportedException($"engine profile ({profile.Description}) compiles for the host; a compilation key needs a full target triple");
        if (profile.CraneliftSettings.Count > 0)
            throw new AotCompilationException($"engine profile ({profile.Description}) has extra Cranelift settings, which a compilation key does not record");
        return new CompilationKey(AotBackEndKind.WasmtimeCranelift, EngineProfile.WasmtimeVersion, profile.Target, [.. profile.CpuFeatures],
            new EngineSettings(
                ConsumeFuel: profile.Interruption == CpuInterruption.Fuel,
                EpochInterruption: profile.Interruption == CpuInterruption.Epoch,
                BoundsChecks: BoundsCheckMode.GuardPages,
                OptimizationLevel: CraneliftOptimizationLevels.Name(profile.OptimizationLevel),
                NativeCompilerFlags: [],
                ExceptionBufferBytes: 0));
    }

    /// <summary>The engine profile a Wasmtime <paramref name="key"/> is compiled (and loaded) with.</summary>
    /// <param name="deviceClass">Class name the profile carries (messages only); null for a key outside the class table.</param>
    public static EngineProfile ToProfile(CompilationKey key, string? deviceClass)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.BackEnd != AotBackEndKind.WasmtimeCranelift)
            throw new AotTargetNotSupportedException($"key is for back end {key.BackEnd}, not Wasmtime");
        if (key.Engine.BoundsChecks != BoundsCheckMode.GuardPages)
            throw new AotTargetNotSupportedException("Wasmtime keys use guard-page bounds checks (the engine default)");
        if (key.Engine.NativeCompilerFlags.Count > 0 || key.Engine.ExceptionBufferBytes != 0)
            throw new AotCompilationException("Wasmtime keys carry no C compiler flags and no exception buffer (those are wasm2c settings)");
        if (!CraneliftOptimizationLevels.TryParse(key.Engine.OptimizationLevel, out var level))
            throw new AotCompilationException($"unknown Wasmtime optimisation level '{key.Engine.OptimizationLevel}' (none, speed, speed_and_size)");
        var interruption = (key.Engine.ConsumeFuel, key.Engine.EpochInterruption) switch
        {
            (true, false) => CpuInterruption.Fuel,
            (false, true) => CpuInterruption.Epoch,
            (false, false) => CpuInterruption.None,
            _ => throw new AotCompilationException("a Wasmtime key has fuel or epoch interruption, not both"),
        };
        return new EngineProfile(deviceClass ?? "(explicit key)", key.Triple, [.. key.CpuFeatures], interruption, level.Value);
    }

    /// <summary>The aarch64 worker's command-line options that reproduce <see cref="EngineFactory.Create"/> for <paramref name="profile"/>.</summary>
    public static IReadOnlyList<string> WorkerOptions(EngineProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var options = new List<string>
        {
            "--opt", CraneliftOptimizationLevels.Name(profile.OptimizationLevel),
            "--epoch", profile.Interruption == CpuInterruption.Epoch ? "1" : "0",
            "--fuel", profile.Interruption == CpuInterruption.Fuel ? "1" : "0",
        };
        foreach (var flag in profile.CpuFeatures.Order(StringComparer.Ordinal)) options.AddRange(["--enable", flag]);
        return options;
    }
}
