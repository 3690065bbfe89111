namespace AtymSecure.Container.Artifact;

/// <summary>
/// The <see cref="AtymSecure.Primitives.Problem.Code"/>s of a container refused by <see cref="ContainerArtifactReader"/>.
/// Paths start with the part at fault: <c>manifest.</c>, <c>wasmConfig.</c>, <c>containerConfig.</c>, <c>module</c> or
/// <c>blobs['name']</c>. Problems of the Wasm and container configs keep the config reader's own codes
/// (<see cref="AtymSecure.Formats.Container.ConfigProblemCodes"/>), and a module that does not fit its config keeps
/// <see cref="Build.BuildProblemCodes"/> (<see cref="Build.ModuleCompatibility"/>). Stable: tests name them.
/// </summary>
public static class ArtifactProblemCodes
{
    public const string InvalidManifest = "invalid-manifest";
    public const string WrongConfigMediaType = "wrong-config-media-type";
    public const string ModuleLayerCount = "module-layer-count";
    public const string ConfigLayerCount = "config-layer-count";
    public const string UnnamedBlob = "unnamed-blob";
    public const string DuplicateBlob = "duplicate-blob";
    public const string ComponentNotSupported = "component-not-supported";
    public const string LayerDigestsMismatch = "layer-digests-mismatch";
    public const string BlobMissing = "blob-missing";
    public const string BlobMismatch = "blob-mismatch";
    public const string UndeclaredBlob = "undeclared-blob";
    public const string TooLarge = "too-large";
    public const string FetchFailed = "fetch-failed";
    public const string InvalidModule = "invalid-module";
}
