using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Primitives;
using Wasmtime;

namespace AtymSecure.Engines;

/// <summary>
/// Every engine setting that changes compiled code, for one device. The AoT compiler (ota-server/Delivery)
/// and the device's sandbox both build their Wasmtime engine from a profile with <see cref="EngineFactory"/>,
/// so an artifact compiled for a class loads into the engine of a device of that class; Wasmtime refuses
/// one compiled under other settings. Per-class profiles: <see cref="DeviceClassEngineProfiles"/>;
/// <see cref="HostWasm"/> is the profile for devices that compile plain Wasm themselves. Compares by value.
/// </summary>
/// <param name="DeviceClass">Device class name (formats DeviceClassTable), or <c>host</c> for <see cref="HostWasm"/>.</param>
/// <param name="Target">Full target triple, or <c>pulley64</c>; null = the host (plain Wasm compiled on the device).</param>
/// <param name="CpuFeatures">Cranelift ISA flags enabled on top of the triple's baseline, e.g. <c>has_sse42</c>; order does not matter.</param>
/// <param name="Interruption">Fuel or epoch; see <see cref="CpuInterruption"/>.</param>
/// <param name="OptimizationLevel">Cranelift optimisation level.</param>
public sealed record EngineProfile(
    string DeviceClass,
    string? Target,
    IReadOnlyList<string> CpuFeatures,
    CpuInterruption Interruption,
    OptimizationLevel OptimizationLevel)
{
    /// <summary>Wasmtime version of the NuGet package the compiler and the device link (Directory.Packages.props).</summary>
    public const string WasmtimeVersion = "50.0.1";

    /// <summary>Largest Wasm stack (bytes) the engine allows; per container it is set from the container's resources. Not baked into code.</summary>
    public int MaxWasmStackBytes { get; init; } = 512 * 1024;

    /// <summary>
    /// Extra Cranelift settings (key=value). Empty for fleet profiles; the bench uses it to measure settings
    /// such as <c>enable_heap_access_spectre_mitigation=false</c> before anyone proposes them for a class.
    /// </summary>
    public IReadOnlyDictionary<string, string> CraneliftSettings { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public bool IsPulley => Target is not null && Target.StartsWith("pulley", StringComparison.Ordinal);

    /// <summary>Human-readable summary for messages and status output.</summary>
    public string Description =>
        $"class={DeviceClass} target={Target ?? "host"} features=[{string.Join(',', SortedFeatures)}] " +
        $"interrupt={Interruption.ToString().ToLowerInvariant()} opt={OptimizationLevel} wasmtime={WasmtimeVersion}";

    private IEnumerable<string> SortedFeatures => CpuFeatures.Order(StringComparer.Ordinal);

    /// <summary>Plain Wasm compiled on this device with fuel metering (deterministic CPU budget per slice).</summary>
    public static EngineProfile HostWasm(CpuInterruption interruption = CpuInterruption.Fuel) =>
        new("host", null, [], interruption, OptimizationLevel.Speed);

    /// <summary>The engine profile of a Wasmtime device class (<see cref="DeviceClassEngineProfiles.For"/>).</summary>
    /// <exception cref="EngineConfigurationException">A wasm2c (MCU) class: its code is linked into firmware.</exception>
    public static EngineProfile For(DeviceClass deviceClass) => DeviceClassEngineProfiles.For(deviceClass);

    public bool Equals(EngineProfile? other) =>
        other is not null &&
        DeviceClass == other.DeviceClass && Target == other.Target && Interruption == other.Interruption &&
        OptimizationLevel == other.OptimizationLevel && MaxWasmStackBytes == other.MaxWasmStackBytes &&
        ValueEquality.Lists(SortedFeatures.ToArray(), other.SortedFeatures.ToArray()) &&
        ValueEquality.Dictionaries(CraneliftSettings, other.CraneliftSettings);

    public override int GetHashCode() =>
        HashCode.Combine(DeviceClass, Target, Interruption, OptimizationLevel, MaxWasmStackBytes, ValueEquality.ListHash(SortedFeatures.ToArray()),
            ValueEquality.DictionaryHash(CraneliftSettings));
}
