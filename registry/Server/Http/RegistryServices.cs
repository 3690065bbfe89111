using AtymSecure.Registry.Hosting;
using AtymSecure.Registry.Storage;
using AtymSecure.Registry.Uploads;

namespace AtymSecure.Registry.Http;

/// <summary>The registry's collaborators, one instance per running server.</summary>
public sealed class RegistryServices(
    RegistryOptions options,
    IBlobStore blobs,
    IMetadataStore metadata,
    UploadService uploads,
    ManifestContentCache manifestCache,
    IRegistryAuthorizer authorizer,
    ITagMoveGuard tagMoves)
{
    public RegistryOptions Options { get; } = options;
    public IBlobStore Blobs { get; } = blobs;
    public IMetadataStore Metadata { get; } = metadata;
    public UploadService Uploads { get; } = uploads;
    public ManifestContentCache ManifestCache { get; } = manifestCache;
    public IRegistryAuthorizer Authorizer { get; } = authorizer;

    /// <summary>Asked before a manifest PUT moves a tag (protected repositories, issue 15 §3).</summary>
    public ITagMoveGuard TagMoves { get; } = tagMoves;
}
