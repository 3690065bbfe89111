namespace AtymSecure.Formats.ContainerImage;

/// <summary>
/// Fixed numbers of container image format v1 (docs/container-image-format.md#layout). They are part of
/// the format: a change is a new format version.
/// </summary>
public static class ContainerImageLayout
{
    /// <summary>ASCII <c>ATYMCIMG</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "ATYMCIMG"u8;

    public const ushort FormatVersion = 1;

    /// <summary>Magic (8) + version (2) + reserved (2) + manifest length (4).</summary>
    public const int PreambleBytes = 16;

    public const int MinManifestBytes = 1;
    public const int MaxManifestBytes = 64 * 1024;

    /// <summary>Deepest nesting the manifest may have (top → config → blobs → blob is 4).</summary>
    public const int MaxManifestDepth = 8;

    public const long MaxImageBytes = 64L * 1024 * 1024;
    public const int MaxBlobs = 64;

    /// <summary>The code starts at a multiple of this after the manifest, so small manifest edits rarely move it (smaller deltas).</summary>
    public const int CodeAlignment = 256;

    /// <summary>Each blob starts at a multiple of this after the previous section.</summary>
    public const int BlobAlignment = 64;

    public const int MaxTextBytes = 256;

    /// <summary>The smallest multiple of <paramref name="alignment"/> (a power of two) at or after <paramref name="offset"/>.</summary>
    public static long Align(long offset, int alignment) => (offset + alignment - 1) & ~(long)(alignment - 1);

    /// <summary>Manifest name of a code kind; wasm2c objects have none (they are linked into MCU firmware, never put in an image).</summary>
    public static string? KindName(Bundle.ArtifactKind kind) => kind switch
    {
        Bundle.ArtifactKind.Wasm => "wasm",
        Bundle.ArtifactKind.WasmtimeNative => "wasmtime-native",
        Bundle.ArtifactKind.WasmtimePulley => "wasmtime-pulley",
        _ => null,
    };

    public static Bundle.ArtifactKind? ParseKind(string? name) => name switch
    {
        "wasm" => Bundle.ArtifactKind.Wasm,
        "wasmtime-native" => Bundle.ArtifactKind.WasmtimeNative,
        "wasmtime-pulley" => Bundle.ArtifactKind.WasmtimePulley,
        _ => null,
    };
}
