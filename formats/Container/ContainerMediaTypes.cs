namespace AtymSecure.Formats.Container;

/// <summary>
/// Media types and annotation keys of the Atym container artifact (docs/container-format.md#artifact).
/// The Wasm ones follow the CNCF TAG Runtime Wasm OCI artifact layout:
/// https://tag-runtime.cncf.io/wgs/wasm/deliverables/wasm-oci-artifact/
/// </summary>
public static class ContainerMediaTypes
{
    /// <summary>Manifest config of a Wasm OCI artifact.</summary>
    public const string WasmConfig = "application/vnd.wasm.config.v0+json";

    /// <summary>The single Wasm module layer.</summary>
    public const string WasmLayer = "application/wasm";

    /// <summary>Our container config, carried as its own layer.</summary>
    public const string ContainerConfig = "application/vnd.atym.container.config.v1+json";

    /// <summary>Default media type of a named blob when the project does not give one.</summary>
    public const string DefaultBlob = "application/octet-stream";

    /// <summary>Layer annotation naming a blob (the name a module passes to <c>atym.blob_read</c>).</summary>
    public const string BlobNameAnnotation = "dev.atym.blob.name";
}
