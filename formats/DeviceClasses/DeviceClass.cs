namespace AtymSecure.Formats.DeviceClasses;

/// <summary>Instruction set family of a device class.</summary>
public enum Isa
{
    X86_64,
    Aarch64,
    /// <summary>Wasmtime's portable Pulley interpreter bytecode (64-bit pointers).</summary>
    Pulley64,
    ArmV7EM,
    ArmV8MMain,
    RiscV32,
}

/// <summary>
/// One stable device class: the name a container targets and a device reports, and what a device needs to
/// know about its class. How code is compiled for it is not here: server-only compile settings live in
/// ota-server/Delivery (Compilation/Wasm2cTargets), the Wasmtime engine settings in runtime/EngineProfile.
/// Immutable, compares by value. See docs/device-classes.md.
/// </summary>
/// <param name="Name">Stable identifier, lowercase, e.g. <c>linux-aarch64</c>.</param>
/// <param name="Isa">Instruction set family.</param>
/// <param name="Triple">Rust-style target triple of the class (a back end may spell it differently).</param>
/// <param name="PointerBits">Native pointer width in bits (32 or 64).</param>
/// <param name="IsMicrocontroller">True for bare-metal MCU classes (no OS, small RAM).</param>
/// <param name="BackEnd">Which back end produces the class's code (and so whether Wasmtime or the firmware runs it).</param>
public sealed record DeviceClass(string Name, Isa Isa, string Triple, int PointerBits, bool IsMicrocontroller, AotBackEndKind BackEnd)
{
    public override string ToString() => Name;
}
