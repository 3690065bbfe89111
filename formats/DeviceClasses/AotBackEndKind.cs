namespace AtymSecure.Formats.DeviceClasses;

/// <summary>
/// Which back end produces a device class's code, and so what runs it on the device. Part of the class's
/// identity: a device reads it to know whether its engine loads the code or its firmware links it.
/// How each back end is configured is server side (ota-server/Delivery) or the shared engine profile
/// (runtime/EngineProfile), not here.
/// </summary>
public enum AotBackEndKind
{
    /// <summary>Wasmtime/Cranelift: a serialized module (<c>.cwasm</c>) the device's Wasmtime engine loads.</summary>
    WasmtimeCranelift,

    /// <summary>wasm2c (wabt) + clang: a relocatable ELF object linked into the device firmware.</summary>
    Wasm2c,
}
