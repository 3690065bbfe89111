using AtymSecure.Oci.Remote;
using AtymSecure.TestSupport;

namespace AtymSecure.Signer.Tests.Infrastructure;

/// <summary>
/// Debian's <c>docker-registry</c> (CNCF distribution 2.8) as a process on 127.0.0.1, as a class
/// fixture. It has no referrers API, so everything attached to it goes through the
/// <c>sha256-&lt;hex&gt;</c> fallback tag.
/// </summary>
public sealed class DistributionRegistryProcess : IAsyncLifetime
{
    private DistributionRegistryServer? _server;

    public string Host => _server?.HostPort ?? throw new InvalidOperationException("the registry is not started");

    public async Task InitializeAsync() => _server = await DistributionRegistryServer.StartAsync();

    public Repository Repository(string name) => new($"{Host}/{name}", new RemoteOptions { PlainHttp = true });

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
