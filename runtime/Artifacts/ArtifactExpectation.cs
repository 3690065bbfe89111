namespace AtymSecure.Runtime.Artifacts;

/// <summary>
/// What the signed metadata says about one artifact: its kind, exact length, SHA-256 and (for precompiled
/// code) the engine compatibility key it was compiled with. Built by the bundle reader after the
/// signature check; the runtime trusts nothing else about the bytes.
/// </summary>
/// <param name="Name">Artifact name for messages (e.g. <c>sensor-filter/module.cwasm</c>).</param>
/// <param name="Kind">Plain Wasm or precompiled code.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the bytes.</param>
/// <param name="Length">Exact byte length.</param>
/// <param name="CompatibilityKey">Engine profile key for precompiled kinds; null for plain Wasm.</param>
public sealed record ArtifactExpectation(string Name, ArtifactKind Kind, string Sha256, long Length, string? CompatibilityKey)
{
    /// <summary>Largest artifact accepted (a device-side sanity bound, above any real container).</summary>
    public const long MaxLength = 64L * 1024 * 1024;
}
