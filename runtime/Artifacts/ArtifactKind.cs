namespace AtymSecure.Runtime.Artifacts;

/// <summary>What the bytes of a container's code are.</summary>
public enum ArtifactKind
{
    /// <summary>A WebAssembly binary module; compiled on the device.</summary>
    Wasm,

    /// <summary>Wasmtime precompiled native code (<c>.cwasm</c>) for a CPU target such as x86_64.</summary>
    PrecompiledNative,

    /// <summary>Wasmtime precompiled Pulley bytecode (<c>.cwasm</c>, target <c>pulley64</c>).</summary>
    PrecompiledPulley,
}
