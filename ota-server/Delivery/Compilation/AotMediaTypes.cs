using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Compilation;

/// <summary>Media types of compiled outputs (registry layers; docs/aot-compilation.md#registry-layout-and-provenance).</summary>
public static class AotMediaTypes
{
    /// <summary>A Wasmtime serialized module (ELF <c>.cwasm</c>).</summary>
    public const string WasmtimeCwasm = "application/vnd.atym.aot.wasmtime.cwasm.v1";

    /// <summary>A wasm2c relocatable ELF object (module + runtime + glue).</summary>
    public const string Wasm2cObject = "application/vnd.atym.aot.wasm2c.object.v1";

    public static string For(AotBackEndKind backEnd) => backEnd switch
    {
        AotBackEndKind.WasmtimeCranelift => WasmtimeCwasm,
        AotBackEndKind.Wasm2c => Wasm2cObject,
        _ => throw new ArgumentOutOfRangeException(nameof(backEnd), backEnd, "unknown back end"),
    };
}
