using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Compilation;

/// <summary>How out-of-bounds linear-memory accesses are caught.</summary>
public enum BoundsCheckMode
{
    /// <summary>Virtual-memory reservations with guard pages (64-bit hosts with an MMU).</summary>
    GuardPages,

    /// <summary>A compare before every access (32-bit and MMU-less targets; wasm2c in bounds-check mode).</summary>
    Explicit,
}

/// <summary>
/// Engine settings baked into compiled code, as a <see cref="CompilationKey"/> records them. For Wasmtime keys
/// they come from the device's engine profile (runtime/EngineProfile, <see cref="WasmtimeKeys"/>); for wasm2c
/// keys from <see cref="Wasm2cTargets"/>. See docs/device-classes.md. Compares by value.
/// </summary>
/// <param name="ConsumeFuel">Fuel metering instrumentation compiled in (Wasmtime only).</param>
/// <param name="EpochInterruption">Epoch checks compiled in at loop heads and calls (Wasmtime only).</param>
/// <param name="BoundsChecks">How memory bounds are enforced.</param>
/// <param name="OptimizationLevel">Back-end optimisation level: Cranelift <c>speed</c>, or clang <c>O2</c>/<c>Os</c>.</param>
/// <param name="NativeCompilerFlags">Extra C compiler flags for wasm2c keys (ABI, sections), in order.</param>
/// <param name="ExceptionBufferBytes">Size of wasm2c's static exception buffer (upstream fixes 64 KiB); 0 for Wasmtime.</param>
public sealed record EngineSettings(
    bool ConsumeFuel,
    bool EpochInterruption,
    BoundsCheckMode BoundsChecks,
    string OptimizationLevel,
    EquatableList<string> NativeCompilerFlags,
    int ExceptionBufferBytes);
