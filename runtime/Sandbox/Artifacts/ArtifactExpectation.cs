using AtymSecure.Formats.Bundle;

namespace AtymSecure.Runtime.Artifacts;

/// <summary>
/// What signed metadata (the bundle header, docs/bundle-format.md) says about one artifact: kind, exact
/// length, SHA-256 and, for precompiled code, the device class and target triple it was compiled for.
/// Built by the installer after the signature check; the runtime trusts nothing else about the bytes.
/// </summary>
/// <param name="Name">Artifact name for messages (e.g. <c>sensor-filter@1.0.0</c>).</param>
/// <param name="Kind">Plain Wasm or precompiled code (shared bundle enum).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the bytes.</param>
/// <param name="Length">Exact byte length.</param>
/// <param name="DeviceClass">Device class compiled for; null for plain Wasm.</param>
/// <param name="TargetTriple">Compiler target triple; null for plain Wasm.</param>
public sealed record ArtifactExpectation(string Name, ArtifactKind Kind, string Sha256, long Length, string? DeviceClass = null, string? TargetTriple = null)
{
    /// <summary>Largest artifact accepted (a device-side sanity bound, above any real container).</summary>
    public const long MaxLength = 64L * 1024 * 1024;

    public bool IsPrecompiled => Kind is ArtifactKind.WasmtimeNative or ArtifactKind.WasmtimePulley;

    /// <summary>From a verified bundle header (the header's target digest, size, class and triple).</summary>
    public static ArtifactExpectation FromBundleHeader(BundleHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new ArtifactExpectation($"{header.ContainerName}@{header.ContainerVersion}", header.ArtifactKind,
            header.TargetDigest.Encoded, checked((long)header.TargetSize),
            header.ArtifactKind == ArtifactKind.Wasm ? null : header.DeviceClass,
            header.ArtifactKind == ArtifactKind.Wasm ? null : header.TargetTriple);
    }
}
