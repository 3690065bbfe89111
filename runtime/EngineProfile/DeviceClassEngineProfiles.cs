using System.Collections.Frozen;
using AtymSecure.Formats.DeviceClasses;
using Wasmtime;

namespace AtymSecure.Engines;

/// <summary>
/// The engine profile of every device class whose code Wasmtime runs: the one table the AoT compiler keys
/// its Wasmtime artifacts from and the device builds its engine from. Why each choice was made:
/// docs/device-classes.md. wasm2c classes have no engine: their settings are server side (ota-server/Delivery).
/// </summary>
public static class DeviceClassEngineProfiles
{
    // Linux classes: epoch checks on (cheap, lets the runtime preempt a runaway module), fuel off (costly),
    // Cranelift opt level "speed". Bounds checks are Wasmtime's default: guard pages (64-bit MMU hosts).
    private static EngineProfile Linux(DeviceClass deviceClass, string target, IReadOnlyList<string> features) =>
        new(deviceClass.Name, target, features, CpuInterruption.Epoch, OptimizationLevel.Speed);

    /// <summary>x86-64-v2: every x86_64 gateway CPU since ~2009 (incl. Atom/Celeron without AVX).</summary>
    public static readonly EngineProfile LinuxX86_64 = Linux(DeviceClassTable.LinuxX86_64, "x86_64-unknown-linux-gnu",
        ["has_popcnt", "has_sse3", "has_sse41", "has_sse42", "has_ssse3"]);

    /// <summary>ARMv8.0-A baseline: Cortex-A53/A72 (Raspberry Pi 3/4) lack LSE atomics and pointer auth.</summary>
    public static readonly EngineProfile LinuxAarch64 = Linux(DeviceClassTable.LinuxAarch64, "aarch64-unknown-linux-gnu", []);

    /// <summary>Pulley interpreter bytecode: no CPU features.</summary>
    public static readonly EngineProfile PortablePulley64 = Linux(DeviceClassTable.PortablePulley64, "pulley64", []);

    /// <summary>One profile per Wasmtime class, in <see cref="DeviceClassTable.All"/> order.</summary>
    public static IReadOnlyList<EngineProfile> All { get; } = [LinuxX86_64, LinuxAarch64, PortablePulley64];

    private static readonly FrozenDictionary<string, EngineProfile> ByName =
        All.ToFrozenDictionary(p => p.DeviceClass, StringComparer.Ordinal);

    /// <summary>The profile of a Wasmtime class.</summary>
    /// <exception cref="EngineConfigurationException">A class whose code Wasmtime does not run (wasm2c).</exception>
    /// <exception cref="KeyNotFoundException">A class not in <see cref="DeviceClassTable"/>.</exception>
    public static EngineProfile For(DeviceClass deviceClass)
    {
        ArgumentNullException.ThrowIfNull(deviceClass);
        if (deviceClass.BackEnd != AotBackEndKind.WasmtimeCranelift)
            throw new EngineConfigurationException(
                $"device class '{deviceClass.Name}' uses the {deviceClass.BackEnd} back end: its code is linked into firmware, not run by Wasmtime");
        return ByName.TryGetValue(deviceClass.Name, out var profile)
            ? profile
            : throw new KeyNotFoundException(
                $"no engine profile for device class '{deviceClass.Name}'; known: {string.Join(", ", ByName.Keys.Order(StringComparer.Ordinal))}");
    }
}
