using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// What the wasm2c back end needs per target triple: bare metal or hosted, and where the C library headers come from.
/// Also the wasm2c keys for 64-bit Linux, which are not device classes (Linux classes use Wasmtime) but are
/// useful for hosting a module as native code (e.g. inside a .NET process or a Linux firmware image).
/// </summary>
public static class Wasm2cTargets
{
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
