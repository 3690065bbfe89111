using System.Collections.Frozen;

namespace AtymSecure.Formats.DeviceClasses;

/// <summary>
/// The per-class compilation table: back end, CPU features and engine settings for every class in
/// <see cref="DeviceClassTable"/>. Why each choice was made is in docs/device-classes.md.
/// </summary>
public static class DeviceClassCompilationProfiles
{
    /// <summary>Media type of a Wasmtime serialized module (ELF <c>.cwasm</c>).</summary>
    public const string WasmtimeCwasmMediaType = "application/vnd.atym.aot.wasmtime.cwasm.v1";

    /// <summary>Media type of a wasm2c relocatable ELF object (module + runtime + glue).</summary>
    public const string Wasm2cObjectMediaType = "application/vnd.atym.aot.wasm2c.object.v1";

    // Linux classes: epoch checks on (cheap, lets the runtime preempt a runaway module), fuel off (costly),
    // guard-page bounds checks (64-bit MMU hosts), Cranelift opt level "speed".
    private static readonly EngineSettings LinuxEngine =
        new(ConsumeFuel: false, EpochInterruption: true, BoundsChecks: BoundsCheckMode.GuardPages,
            OptimizationLevel: "speed", NativeCompilerFlags: [], ExceptionBufferBytes: 0);

    // MCU classes: wasm2c 1.0.32 has neither fuel nor epochs (the firmware watchdog bounds run time);
    // explicit bounds checks; -Os for flash; a 256-byte exception buffer instead of upstream's 64 KiB.
    private static EngineSettings McuEngine(params string[] abiFlags) =>
        new(ConsumeFuel: false, EpochInterruption: false, BoundsChecks: BoundsCheckMode.Explicit,
            OptimizationLevel: "Os", NativeCompilerFlags: ["-ffunction-sections", "-fdata-sections", .. abiFlags],
            ExceptionBufferBytes: 256);

    public static readonly DeviceClassCompilationProfile LinuxX86_64 = new(
        DeviceClassTable.LinuxX86_64.Name, AotBackEndKind.WasmtimeCranelift, "x86_64-unknown-linux-gnu",
        // x86-64-v2: every x86_64 gateway CPU since ~2009 (incl. Atom/Celeron without AVX).
        ["has_popcnt", "has_sse3", "has_sse41", "has_sse42", "has_ssse3"],
        LinuxEngine, WasmtimeCwasmMediaType);

    public static readonly DeviceClassCompilationProfile LinuxAarch64 = new(
        DeviceClassTable.LinuxAarch64.Name, AotBackEndKind.WasmtimeCranelift, "aarch64-unknown-linux-gnu",
        // ARMv8.0-A baseline: Cortex-A53/A72 (Raspberry Pi 3/4) lack LSE atomics and pointer auth.
        [],
        LinuxEngine, WasmtimeCwasmMediaType);

    public static readonly DeviceClassCompilationProfile PortablePulley64 = new(
        DeviceClassTable.PortablePulley64.Name, AotBackEndKind.WasmtimeCranelift, "pulley64",
        [], LinuxEngine, WasmtimeCwasmMediaType);

    public static readonly DeviceClassCompilationProfile McuCortexM4 = new(
        DeviceClassTable.McuCortexM4.Name, AotBackEndKind.Wasm2c, "thumbv7em-none-eabihf",
        // Cortex-M4F: single-precision FPU, hard-float calling convention (the class triple is eabihf).
        ["-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"],
        McuEngine("-fshort-enums"), Wasm2cObjectMediaType);

    public static readonly DeviceClassCompilationProfile McuCortexM33 = new(
        DeviceClassTable.McuCortexM33.Name, AotBackEndKind.Wasm2c, "thumbv8m.main-none-eabihf",
        ["-mcpu=cortex-m33", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard"],
        McuEngine("-fshort-enums"), Wasm2cObjectMediaType);

    public static readonly DeviceClassCompilationProfile McuRiscV32 = new(
        DeviceClassTable.McuRiscV32.Name, AotBackEndKind.Wasm2c, "riscv32-unknown-elf",
        ["-march=rv32imac", "-mabi=ilp32"],
        McuEngine(), Wasm2cObjectMediaType);

    /// <summary>One profile per class, in <see cref="DeviceClassTable.All"/> order.</summary>
    public static IReadOnlyList<DeviceClassCompilationProfile> All { get; } =
        [LinuxX86_64, LinuxAarch64, PortablePulley64, McuCortexM4, McuCortexM33, McuRiscV32];

    private static readonly FrozenDictionary<string, DeviceClassCompilationProfile> ByName =
        All.ToFrozenDictionary(p => p.DeviceClass, StringComparer.Ordinal);

    /// <summary>The profile of a known class; throws <see cref="KeyNotFoundException"/> naming the known classes.</summary>
    public static DeviceClassCompilationProfile For(DeviceClass deviceClass)
    {
        ArgumentNullException.ThrowIfNull(deviceClass);
        return For(deviceClass.Name);
    }

    /// <summary>The profile of a class by its stable name.</summary>
    public static DeviceClassCompilationProfile For(string deviceClassName) =>
        deviceClassName is not null && ByName.TryGetValue(deviceClassName, out var p)
            ? p
            : throw new KeyNotFoundException(
                $"no compilation profile for device class '{deviceClassName}'; known: {string.Join(", ", ByName.Keys.Order(StringComparer.Ordinal))}");
}
