using AtymSecure.Formats.DeviceClasses;
using Wasmtime;

namespace AtymSecure.Runtime.Engines;

/// <summary>
/// Every engine setting that changes compiled code, for one device. Built from the shared per-class
/// compilation table (<see cref="DeviceClassCompilationProfiles"/>, the same one the AoT compilers use), so
/// an artifact compiled for the class loads into the device's engine; <see cref="HostWasm"/> is the profile
/// for devices that only compile plain Wasm themselves.
/// </summary>
/// <param name="DeviceClass">Device class name (formats DeviceClassTable), or <c>host</c> for <see cref="HostWasm"/>.</param>
/// <param name="Target">Full target triple, or <c>pulley64</c>; null = the host (plain Wasm compiled on the device).</param>
/// <param name="CpuFeatures">Cranelift ISA flags enabled on top of the triple's baseline, e.g. <c>has_sse42</c>.</param>
/// <param name="Interruption">Fuel or epoch; see <see cref="CpuInterruption"/>.</param>
/// <param name="OptimizationLevel">Cranelift optimisation level.</param>
public sealed record EngineProfile(
    string DeviceClass,
    string? Target,
    IReadOnlyList<string> CpuFeatures,
    CpuInterruption Interruption,
    OptimizationLevel OptimizationLevel)
{
    /// <summary>Wasmtime version of the NuGet package this runtime links.</summary>
    public const string WasmtimeVersion = "50.0.1";

    /// <summary>Largest Wasm stack (bytes) the engine allows; per container it is set from the container's resources.</summary>
    public int MaxWasmStackBytes { get; init; } = 512 * 1024;

    /// <summary>
    /// Extra Cranelift settings (key=value). Empty for fleet profiles; the bench uses it to measure settings
    /// such as <c>enable_heap_access_spectre_mitigation=false</c> before anyone proposes them for a class.
    /// </summary>
    public IReadOnlyDictionary<string, string> CraneliftSettings { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public bool IsPulley => Target is not null && Target.StartsWith("pulley", StringComparison.Ordinal);

    /// <summary>Human-readable summary for messages and status output.</summary>
    public string Description =>
        $"class={DeviceClass} target={Target ?? "host"} features=[{string.Join(',', CpuFeatures.Order(StringComparer.Ordinal))}] " +
        $"interrupt={Interruption.ToString().ToLowerInvariant()} opt={OptimizationLevel} wasmtime={WasmtimeVersion}";

    /// <summary>Plain Wasm compiled on this device with fuel metering (deterministic CPU budget per slice).</summary>
    public static EngineProfile HostWasm(CpuInterruption interruption = CpuInterruption.Fuel) =>
        new("host", null, [], interruption, OptimizationLevel.Speed);

    /// <summary>The engine profile of a Wasmtime device class, from the shared compilation table.</summary>
    /// <exception cref="EngineConfigurationException">A wasm2c (MCU) class, or engine settings Wasmtime here cannot honour.</exception>
    public static EngineProfile For(DeviceClass deviceClass)
    {
        ArgumentNullException.ThrowIfNull(deviceClass);
        return For(DeviceClassCompilationProfiles.For(deviceClass));
    }

    public static EngineProfile For(DeviceClassCompilationProfile compilation)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        if (compilation.BackEnd != AotBackEndKind.WasmtimeCranelift)
            throw new EngineConfigurationException(
                $"device class '{compilation.DeviceClass}' uses the {compilation.BackEnd} back end: its code is linked into firmware, not run by Wasmtime");
        var engine = compilation.Engine;
        if (engine.ConsumeFuel == engine.EpochInterruption)
            throw new EngineConfigurationException(
                $"device class '{compilation.DeviceClass}': exactly one of fuel and epoch interruption must be on (fuel={engine.ConsumeFuel}, epoch={engine.EpochInterruption}); the runtime needs one to take the CPU back");
        if (engine.BoundsChecks != BoundsCheckMode.GuardPages)
            throw new EngineConfigurationException($"device class '{compilation.DeviceClass}': Wasmtime profiles use guard-page bounds checks");
        var opt = engine.OptimizationLevel switch
        {
            "none" => OptimizationLevel.None,
            "speed" => OptimizationLevel.Speed,
            "speed_and_size" => OptimizationLevel.SpeedAndSize,
            var other => throw new EngineConfigurationException($"device class '{compilation.DeviceClass}': unknown optimisation level '{other}'"),
        };
        return new EngineProfile(compilation.DeviceClass, compilation.CompilerTriple, [.. compilation.CpuFeatures],
            engine.ConsumeFuel ? CpuInterruption.Fuel : CpuInterruption.Epoch, opt);
    }
}
