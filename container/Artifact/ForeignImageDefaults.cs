using AtymSecure.Formats.Container;
using AtymSecure.Formats.Wasm;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Container.Artifact;

/// <summary>
/// The container config assumed for a plain Wasm OCI image (no Atym config layer), per
/// docs/container-format.md#foreign-images: name and version from the manifest's title/version annotations
/// when valid, entrypoint <c>_start</c>, the argument-free permissions its WASI imports need (log, clock,
/// random: never sensors, GPIO, topics or blobs, which a developer must grant explicitly), no health check,
/// and at least enough memory for the module's initial size.
/// </summary>
public static class ForeignImageDefaults
{
    public const string FallbackName = "wasm-module";

    public static ContainerConfig Derive(ImageManifest manifest, WasmModule module)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(module);
        var title = manifest.Annotations?.GetValueOrDefault(AnnotationKeys.Title);
        var versionText = manifest.Annotations?.GetValueOrDefault(AnnotationKeys.Version);
        var name = ContainerName.IsValid(title) ? title! : FallbackName;
        var version = SemanticVersion.TryParse(versionText, out var v) ? v : SemanticVersion.Parse("0.0.0");
        var minimum = module.Memories.Count > 0 ? (long)Math.Min(module.Memories[0].MinimumBytes, (ulong)ContainerConfigValidator.MaxMemoryBytes) : 0;
        return new ContainerConfig
        {
            Name = name,
            Version = version,
            Entrypoint = ContainerConfig.StartEntrypoint,
            Permissions = ImportPolicy.RequiredSimpleCapabilities(module),
            Resources = new ResourceLimits { MaxMemoryBytes = Math.Max(ResourceLimits.DefaultMaxMemoryBytes, minimum) },
        };
    }
}
