using AtymSecure.Formats.DeviceClasses;
using Wasmtime;

namespace AtymSecure.Runtime.Engines;

/// <summary>
/// Every engine setting that changes compiled code, for one device class. An AoT artifact only loads into
/// an engine built from the same profile, so the compiler (ota-server) and the device must agree on it;
/// <see cref="CompatibilityKey"/> is the string both sides record and compare.
/// </summary>
/// <param name="DeviceClass">Device class name (formats DeviceClassTable).</param>
/// <param name="Target">Full target triple, or <c>pulley64</c>; null = the host (only for plain Wasm).</param>
/// <param name="CpuFeatures">Cranelift ISA flags enabled for this class, e.g. <c>has_avx2</c>.</param>
/// <param name="Interruption">Fuel or epoch; see <see cref="CpuInterruption"/>.</param>
/// <param name="OptimizationLevel">Cranelift optimisation level.</param>
public sealed record EngineProfile(
    string DeviceClass,
    string? Target,
    IReadOnlyList<string> CpuFeatures,
    CpuInterruption Interruption,
    OptimizationLevel OptimizationLevel)
{
    /// <summary>Wasmtime version the profile was written for; part of the compatibility key.</summary>
    public const string WasmtimeVersion = "50.0.1";

    /// <summary>Largest Wasm stack a container may ask for (bytes); the engine is built with it.</summary>
    public int MaxWasmStackBytes { get; init; } = 512 * 1024;

    /// <summary>
    /// Cranelift settings beyond CPU features (key=value), e.g. <c>opt_level</c> variants or
    /// <c>enable_heap_access_spectre_mitigation=false</c> measured in the bench.
    /// </summary>
    public IReadOnlyDictionary<string, string> CraneliftSettings { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public bool IsPulley => Target is not null && Target.StartsWith("pulley", StringComparison.Ordinal);

    /// <summary>
    /// The settings that must match between compile and load, as one stable string:
    /// <c>wasmtime=50.0.1;target=...;features=a,b;interrupt=fuel;opt=Speed;cl=k=v,...</c>.
    /// </summary>
    public string CompatibilityKey =>
        $"wasmtime={WasmtimeVersion};target={Target ?? "host"};features={string.Join(',', CpuFeatures.Order(StringComparer.Ordinal))};" +
        $"interrupt={Interruption.ToString().ToLowerInvariant()};opt={OptimizationLevel};" +
        $"cl={string.Join(',', CraneliftSettings.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))}";

    /// <summary>x86-64-v3 features (Haswell and later), the class this repository's linux-x86_64 devices use.</summary>
    public static IReadOnlyList<string> X86_64V3Features { get; } =
        ["has_sse3", "has_ssse3", "has_sse41", "has_sse42", "has_popcnt", "has_avx", "has_avx2", "has_bmi1", "has_bmi2", "has_lzcnt", "has_fma"];

    /// <summary>The profile a device of <paramref name="deviceClass"/> runs AoT artifacts with.</summary>
    public static EngineProfile For(DeviceClass deviceClass, CpuInterruption interruption = CpuInterruption.Fuel)
    {
        ArgumentNullException.ThrowIfNull(deviceClass);
        return deviceClass.Isa switch
        {
            Isa.X86_64 => new EngineProfile(deviceClass.Name, deviceClass.Triple, FeaturesOf(deviceClass, X86_64V3Features), interruption, OptimizationLevel.Speed),
            Isa.Pulley64 => new EngineProfile(deviceClass.Name, "pulley64", [], interruption, OptimizationLevel.Speed),
            Isa.Aarch64 => new EngineProfile(deviceClass.Name, deviceClass.Triple, FeaturesOf(deviceClass, []), interruption, OptimizationLevel.Speed),
            _ => throw new EngineConfigurationException(
                $"device class '{deviceClass.Name}' ({deviceClass.Isa}) is a microcontroller class: Wasmtime does not run there (use the wasm2c path)"),
        };
    }

    /// <summary>A device class may override its CPU features with a comma-separated "cpu-features" property.</summary>
    private static IReadOnlyList<string> FeaturesOf(DeviceClass deviceClass, IReadOnlyList<string> fallback) =>
        deviceClass.Properties.TryGetValue("cpu-features", out var list)
            ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : fallback;
}
