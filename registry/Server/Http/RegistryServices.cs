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
    IRegistryAuthorizer authorizer)
{
    public RegistryOptions Options { get; } = options;
    public IBlobStore Blobs { get; } = blobs;
    public IMetadataStore Metadata { get; } = metadata;
    public UploadService Uploads { get; } = uploads;
    public ManifestContentCache ManifestCache { get; } = manifestCache;
    public IRegistryAuthorizer Authorizer { get; } = authorizer;
}
