using System.Collections.Frozen;
using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// The wasm2c back end's settings, all server side (a device links the object and needs none of them): the
/// key of every wasm2c (MCU) device class — clang triple, CPU selection flags, ABI flags, exception buffer —,
/// per target triple whether it is bare metal and where the C library headers come from, and wasm2c keys for
/// 64-bit Linux, which are not device classes (Linux classes use Wasmtime) but are useful for hosting a module
/// as native code (e.g. inside a .NET process or a Linux firmware image). Why each choice: docs/device-classes.md.
/// </summary>
public static class Wasm2cTargets
{
    /// <summary>Cortex-M4F: single-precision FPU, hard-float calling convention (the class triple is eabihf).</summary>
    public static CompilationKey McuCortexM4 { get; } =
        McuKey("thumbv7em-none-eabihf", ["-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"], "-fshort-enums");

    public static CompilationKey McuCortexM33 { get; } =
        McuKey("thumbv8m.main-none-eabihf", ["-mcpu=cortex-m33", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard"], "-fshort-enums");

    /// <summary>clang does not parse the class's Rust-style <c>riscv32imac-…</c> triple; soft float.</summary>
    public static CompilationKey McuRiscV32 { get; } = McuKey("riscv32-unknown-elf", ["-march=rv32imac", "-mabi=ilp32"]);

    private static readonly FrozenDictionary<string, CompilationKey> ByDeviceClass = new Dictionary<string, CompilationKey>(StringComparer.Ordinal)
    {
        [DeviceClassTable.McuCortexM4.Name] = McuCortexM4,
        [DeviceClassTable.McuCortexM33.Name] = McuCortexM33,
        [DeviceClassTable.McuRiscV32.Name] = McuRiscV32,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The key of a wasm2c device class.</summary>
    public static CompilationKey ForDeviceClass(DeviceClass deviceClass)
    {
        ArgumentNullException.ThrowIfNull(deviceClass);
        return ByDeviceClass.TryGetValue(deviceClass.Name, out var key)
            ? key
            : throw new KeyNotFoundException(
                $"no wasm2c settings for device class '{deviceClass.Name}'; wasm2c classes: {string.Join(", ", ByDeviceClass.Keys.Order(StringComparer.Ordinal))}");
    }

    // MCU classes: wasm2c 1.0.32 has neither fuel nor epochs (the firmware watchdog bounds run time); explicit
    // bounds checks; -Os for flash; a 256-byte exception buffer instead of upstream's 64 KiB.
    private static CompilationKey McuKey(string triple, IReadOnlyList<string> cpuFlags, params string[] abiFlags) => new(
        AotBackEndKind.Wasm2c, BackEndVersions.Wabt, triple, cpuFlags,
        new EngineSettings(ConsumeFuel: false, EpochInterruption: false, BoundsChecks: BoundsCheckMode.Explicit,
            OptimizationLevel: "Os", NativeCompilerFlags: ["-ffunction-sections", "-fdata-sections", .. abiFlags], ExceptionBufferBytes: 256));

    /// <summary>wasm2c + clang for x86_64 Linux (x86-64-v2, like the linux-x86_64 class), position-independent.</summary>
    public static CompilationKey LinuxX86_64 { get; } = HostedKey("x86_64-unknown-linux-gnu", "-march=x86-64-v2");

    /// <summary>wasm2c + clang for aarch64 Linux (ARMv8.0-A, like the linux-aarch64 class), position-independent.</summary>
    public static CompilationKey LinuxAarch64 { get; } = HostedKey("aarch64-unknown-linux-gnu", "-march=armv8-a");

    private static CompilationKey HostedKey(string triple, string march) => new(
        AotBackEndKind.Wasm2c, BackEndVersions.Wabt, triple, [march],
        new EngineSettings(ConsumeFuel: false, EpochInterruption: false, BoundsChecks: BoundsCheckMode.Explicit,
            OptimizationLevel: "O2", NativeCompilerFlags: ["-fPIC"], ExceptionBufferBytes: 65536));

    /// <summary>Header search directory and its Debian package for a triple; null for hosted Linux triples.</summary>
    internal static (string IncludeDirectory, string Package)? BareMetalHeaders(string triple) =>
        triple switch
        {
            _ when triple.StartsWith("thumb", StringComparison.Ordinal) || triple.StartsWith("arm", StringComparison.Ordinal) && triple.Contains("-none-", StringComparison.Ordinal)
                => ("/usr/lib/picolibc/arm-none-eabi/include", "picolibc-arm-none-eabi"),
            _ when triple.StartsWith("riscv32", StringComparison.Ordinal) || triple.StartsWith("riscv64", StringComparison.Ordinal) && triple.EndsWith("-elf", StringComparison.Ordinal)
                => ("/usr/lib/picolibc/riscv64-unknown-elf/include", "picolibc-riscv64-unknown-elf"),
            _ when triple.Contains("-linux-", StringComparison.Ordinal) => null,
            _ => throw new AotTargetNotSupportedException(
                $"wasm2c back end: no C library headers known for '{triple}' (supported: thumb*-none-eabi*, riscv32-*-elf, x86_64/aarch64 Linux)"),
        };

    /// <summary>Headers a hosted cross target needs (Debian cross libc), or null when none.</summary>
    internal static (string Path, string Package)? HostedCrossHeaders(string triple) =>
        triple.StartsWith("aarch64-", StringComparison.Ordinal) && triple.Contains("-linux-", StringComparison.Ordinal)
            ? ("/usr/aarch64-linux-gnu/include/stdio.h", "libc6-dev-arm64-cross")
            : null;

    internal static readonly IReadOnlySet<string> OptimizationLevels =
        new HashSet<string>(["O0", "O1", "O2", "O3", "Os", "Oz"], StringComparer.Ordinal);
}
