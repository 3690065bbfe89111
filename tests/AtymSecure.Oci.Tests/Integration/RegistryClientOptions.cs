using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Oci.Tests.Integration;

/// <summary>
/// The OCI client as the integration tests drive it against <see cref="LoopbackRegistry"/>: pages of two
/// (so listings follow Link headers) and chunk sizes a test can lower to force chunked uploads.
/// </summary>
internal static class RegistryClientOptions
{
    public static RemoteOptions Options(this LoopbackRegistry registry, ICredentialProvider? credentials = null,
        long chunkThreshold = 16L * 1024 * 1024, int chunkSize = 8 * 1024 * 1024) => new()
    {
        PlainHttp = true,
        Credentials = credentials,
        ChunkedUploadThreshold = chunkThreshold,
        ChunkSize = chunkSize,
        PageSize = 2,
    };

    public static Repository Repo(this LoopbackRegistry registry, string name, RemoteOptions? options = null) =>
        registry.Repository(name, options ?? registry.Options());
}
