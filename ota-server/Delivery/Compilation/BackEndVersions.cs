using AtymSecure.Engines;
using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Compilation;

/// <summary>The exact back-end versions this code base produces artifacts with (pinned; see docs/aot-compilation.md).</summary>
public static class BackEndVersions
{
    /// <summary>The Wasmtime NuGet package (and its native libraries): the engine profile's version, which devices link too.</summary>
    public const string Wasmtime = EngineProfile.WasmtimeVersion;

    /// <summary>Debian wabt: wasm2c's generated names changed after this release (wabt PR #2142).</summary>
    public const string Wabt = "1.0.32";

    public static string For(AotBackEndKind backEnd) => backEnd switch
    {
        AotBackEndKind.WasmtimeCranelift => Wasmtime,
        AotBackEndKind.Wasm2c => Wabt,
        _ => throw new ArgumentOutOfRangeException(nameof(backEnd), backEnd, "unknown back end"),
    };
}
