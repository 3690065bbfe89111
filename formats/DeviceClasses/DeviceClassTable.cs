using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace AtymSecure.Formats.DeviceClasses;

/// <summary>
/// The one table of device classes known to AtymSecure. Names are stable wire identifiers: they appear in
/// container configs (<c>targets</c>), device metadata and AoT artifact annotations, so a name is never
/// renamed or reused. See docs/container-format.md#device-classes.
/// </summary>
public static class DeviceClassTable
{
    public static readonly DeviceClass LinuxX86_64 =
        new("linux-x86_64", Isa.X86_64, "x86_64-unknown-linux-gnu", 64, IsMicrocontroller: false, AotBackEndKind.WasmtimeCranelift);

    public static readonly DeviceClass LinuxAarch64 =
        new("linux-aarch64", Isa.Aarch64, "aarch64-unknown-linux-gnu", 64, IsMicrocontroller: false, AotBackEndKind.WasmtimeCranelift);

    public static readonly DeviceClass PortablePulley64 =
        new("portable-pulley64", Isa.Pulley64, "pulley64", 64, IsMicrocontroller: false, AotBackEndKind.WasmtimeCranelift);

    public static readonly DeviceClass McuCortexM4 =
        new("mcu-cortex-m4", Isa.ArmV7EM, "thumbv7em-none-eabihf", 32, IsMicrocontroller: true, AotBackEndKind.Wasm2c);

    public static readonly DeviceClass McuCortexM33 =
        new("mcu-cortex-m33", Isa.ArmV8MMain, "thumbv8m.main-none-eabihf", 32, IsMicrocontroller: true, AotBackEndKind.Wasm2c);

    public static readonly DeviceClass McuRiscV32 =
        new("mcu-riscv32", Isa.RiscV32, "riscv32imac-unknown-none-elf", 32, IsMicrocontroller: true, AotBackEndKind.Wasm2c);

    /// <summary>Every class, in a fixed order (the order docs and listings use).</summary>
    public static IReadOnlyList<DeviceClass> All { get; } =
        [LinuxX86_64, LinuxAarch64, PortablePulley64, McuCortexM4, McuCortexM33, McuRiscV32];

    private static readonly FrozenDictionary<string, DeviceClass> ByName =
        All.ToFrozenDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>Names of every class, in table order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(c => c.Name)];

    /// <summary>Exact (case-sensitive) lookup.</summary>
    public static bool TryGet(string? name, [NotNullWhen(true)] out DeviceClass? deviceClass)
    {
        deviceClass = null;
        return name is not null && ByName.TryGetValue(name, out deviceClass);
    }

    /// <summary>Exact lookup; throws <see cref="KeyNotFoundException"/> naming the known classes.</summary>
    public static DeviceClass Get(string name) =>
        TryGet(name, out var c)
            ? c
            : throw new KeyNotFoundException($"unknown device class '{name}'; known: {string.Join(", ", Names)}");

    public static bool IsKnown(string? name) => name is not null && ByName.ContainsKey(name);
}
