namespace AtymSecure.Formats.Bundle;

/// <summary>
/// Header TLV tags (docs/bundle-format.md#header-tlvs). Bit 15 marks a critical tag: a reader
/// that does not know a critical tag must refuse the bundle; unknown non-critical tags are skipped.
/// Numbers never change meaning; format 2 adds <see cref="Recovery"/> (docs/bundle-format.md#format-versions).
/// </summary>
public enum BundleTag : ushort
{
    ContainerName = 0x8001,
    ContainerVersion = 0x8002,
    SecurityCounter = 0x8003,
    DeviceClass = 0x8004,
    TargetTriple = 0x8005,
    ArtifactKind = 0x8006,
    TargetDigest = 0x8007,
    TargetSize = 0x8008,
    PayloadKind = 0x8009,
    Codec = 0x800A,
    BaseDigest = 0x800B,
    BaseSize = 0x800C,
    PayloadLength = 0x800D,
    ChunkSize = 0x800E,
    ChunkHashes = 0x800F,
    ExpiresUnixSeconds = 0x8010,
    CreatedUnixSeconds = 0x0011,
    ProvenanceDigest = 0x0012,
    SourceManifestDigest = 0x0013,
    /// <summary>What the target image is (<see cref="Bundle.ImageFormat"/>); absent means a raw artifact.</summary>
    ImageFormat = 0x8014,
    /// <summary>Format 2 only: a recovery bundle (value u8 1; absent means not one). Critical, so no format-1 reader misses it.</summary>
    Recovery = 0x8015,
}

public static class BundleTags
{
    public const ushort CriticalBit = 0x8000;

    public static bool IsCritical(ushort tag) => (tag & CriticalBit) != 0;
}

/// <summary>What the device will run from the target image.</summary>
public enum ArtifactKind : byte
{
    /// <summary>A plain WebAssembly module (interpreted or compiled on the device).</summary>
    Wasm = 1,
    /// <summary>A Wasmtime precompiled native module (.cwasm).</summary>
    WasmtimeNative = 2,
    /// <summary>A Wasmtime precompiled Pulley bytecode module (portable).</summary>
    WasmtimePulley = 3,
    /// <summary>A wasm2c + clang relocatable object for a bare-metal MCU.</summary>
    Wasm2cObject = 4,
}

/// <summary>
/// The shape of the target image (docs/bundle-format.md#header-tlvs). With
/// <see cref="ContainerImageV1"/> the header's ArtifactKind/TargetTriple describe the code section inside it.
/// </summary>
public enum ImageFormat : byte
{
    /// <summary>The target image is the compiled artifact itself (e.g. a .cwasm or a wasm2c object). Encoded by leaving the tag out.</summary>
    RawArtifact = 0,
    /// <summary>The target image is a container image v1 (docs/container-image-format.md): config, grants, code, blobs.</summary>
    ContainerImageV1 = 1,
}

public enum PayloadKind : byte
{
    /// <summary>The payload is the target image itself.</summary>
    Full = 0,
    /// <summary>The payload is a patch from the base image to the target image.</summary>
    Delta = 1,
}

/// <summary>How the payload turns into the target image.</summary>
public enum PayloadCodec : byte
{
    /// <summary>Payload bytes are the target bytes.</summary>
    None = 0,
    /// <summary>zstd frame compressed with the base image as prefix (Linux-class devices).</summary>
    ZstdPrefix = 1,
    /// <summary>Our streaming bsdiff-class codec with a fixed small RAM decoder (MCU-class devices).</summary>
    SeqDiff = 2,
    /// <summary>zstd frame of the full target (no base).</summary>
    Zstd = 3,
}
