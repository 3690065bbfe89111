namespace AtymSecure.Formats.DeviceClasses;

/// <summary>Which AoT back end turns a container's Wasm into code for a device class.</summary>
public enum AotBackEndKind
{
    /// <summary>Wasmtime/Cranelift: output is a serialized module (<c>.cwasm</c>) for the Wasmtime runtime.</summary>
    WasmtimeCranelift,

    /// <summary>wasm2c (wabt) + clang: output is a relocatable ELF object linked into the device firmware.</summary>
    Wasm2c,
}

/// <summary>How out-of-bounds linear-memory accesses are caught.</summary>
public enum BoundsCheckMode
{
    /// <summary>Virtual-memory reservations with guard pages (64-bit hosts with an MMU).</summary>
    GuardPages,

    /// <summary>A compare before every access (32-bit and MMU-less targets; wasm2c in bounds-check mode).</summary>
    Explicit,
}

/// <summary>
/// Engine settings baked into compiled code. A device must run an artifact with exactly these settings:
/// Wasmtime refuses artifacts whose fuel/epoch settings differ from the loading engine.
/// See docs/device-classes.md.
/// </summary>
/// <param name="ConsumeFuel">Fuel metering instrumentation compiled in (Wasmtime only).</param>
/// <param name="EpochInterruption">Epoch checks compiled in at loop heads and calls (Wasmtime only).</param>
/// <param name="BoundsChecks">How memory bounds are enforced.</param>
/// <param name="OptimizationLevel">Back-end optimisation level: Cranelift <c>speed</c>, or clang <c>-O2</c>/<c>-Os</c>.</param>
/// <param name="NativeCompilerFlags">Extra C compiler flags for wasm2c classes (ABI, sections), in order.</param>
/// <param name="ExceptionBufferBytes">Size of wasm2c's static exception buffer (upstream fixes 64 KiB); 0 for Wasmtime.</param>
public sealed record EngineSettings(
    bool ConsumeFuel,
    bool EpochInterruption,
    BoundsCheckMode BoundsChecks,
    string OptimizationLevel,
    IReadOnlyList<string> NativeCompilerFlags,
    int ExceptionBufferBytes);

/// <summary>
/// How to compile for one device class: the back end, the exact compiler target, the CPU features it may
/// assume and the engine settings. Stable per class; a change here changes every artifact key.
/// </summary>
/// <param name="DeviceClass">Name of the device class (see <see cref="DeviceClassTable"/>).</param>
/// <param name="BackEnd">The back end that produces code for this class.</param>
/// <param name="CompilerTriple">
/// Target triple exactly as the back end spells it (Wasmtime target or clang <c>--target</c>); may differ from
/// the class's Rust-style <see cref="DeviceClasses.DeviceClass.Triple"/> (clang does not parse <c>riscv32imac-…</c>).
/// </param>
/// <param name="CpuFeatures">
/// Wasmtime: Cranelift ISA flags enabled on top of the triple's baseline (e.g. <c>has_sse42</c>).
/// wasm2c: the clang CPU selection flags (e.g. <c>-mcpu=cortex-m4</c>).
/// </param>
/// <param name="Engine">Engine settings compiled into the code.</param>
/// <param name="OutputMediaType">Media type of the compiled output.</param>
public sealed record DeviceClassCompilationProfile(
    string DeviceClass,
    AotBackEndKind BackEnd,
    string CompilerTriple,
    IReadOnlyList<string> CpuFeatures,
    EngineSettings Engine,
    string OutputMediaType);
