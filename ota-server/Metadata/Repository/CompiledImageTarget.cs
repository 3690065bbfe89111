using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.OtaMetadata.Repository;

/// <summary>
/// One compiled container image a release adds to its class's <c>compiler-CLASS</c> delegation: the must-match
/// release fields, the image's sha256 and length, the digest of the source Wasm it was compiled from (which the
/// vendor lists, step 10), and optionally the source OCI manifest's digest (provenance; devices ignore it).
/// </summary>
public sealed record CompiledImageTarget(ReleaseIdentity Release, string ImageSha256, long Length, string SourceWasmDigest, string? SourceManifestDigest = null)
{
    /// <summary><c>images/CLASS/CONTAINER/VERSION/cCOUNTER/SHA256.img</c>.</summary>
    public string Path => TargetPaths.Image(Release, ImageSha256);

    /// <summary>The target entry: length, sha256, and <c>custom</c> as <see cref="ImageTargetCustom"/> plus <c>sourceManifestDigest</c>.</summary>
    public TargetFile ToTargetFile()
    {
        var custom = new ImageTargetCustom(Release, SourceWasmDigest).ToJson();
        if (SourceManifestDigest is not null)
            custom = new CanonicalJsonObject(custom.Members.SetItem("sourceManifestDigest", new CanonicalJsonString(SourceManifestDigest)));
        return new TargetFile(Length, Sha256Hashes.Of(ImageSha256), custom);
    }
}
