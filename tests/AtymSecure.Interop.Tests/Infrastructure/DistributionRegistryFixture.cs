using AtymSecure.TestSupport;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace AtymSecure.Interop.Tests.Infrastructure;

/// <summary>
/// The CNCF distribution registry as a peer: the `registry:2` image through Testcontainers where a
/// Docker engine answers, else Debian's `docker-registry` started as a process with its own config
/// in a temp dir. The same tests run against either.
/// </summary>
public sealed class DistributionRegistryFixture : IAsyncLifetime
{
    private DistributionRegistryServer? _server;
    private IContainer? _container;

    /// <summary>host:port of the running peer, e.g. 127.0.0.1:5055.</summary>
    public string HostPort { get; private set; } = "";
    public Uri BaseUri => new($"http://{HostPort}/");
    public string Kind { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (await DockerEngineAnswersAsync())
        {
            _container = new ContainerBuilder("registry:2")
                .WithPortBinding(5000, assignRandomHostPort: true)
                .WithEnvironment("REGISTRY_STORAGE_DELETE_ENABLED", "true")
                .WithWaitStrategy(DotNet.Testcontainers.Builders.Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPath("/v2/").ForPort(5000)))
                .Build();
            await _container.StartAsync();
            HostPort = $"127.0.0.1:{_container.GetMappedPublicPort(5000)}";
            Kind = "testcontainers registry:2";
            return;
        }

        _server = await DistributionRegistryServer.StartAsync();
        HostPort = _server.HostPort;
        Kind = "debian docker-registry process";
    }

    private static async Task<bool> DockerEngineAnswersAsync()
    {
        if (!File.Exists("/var/run/docker.sock") && Environment.GetEnvironmentVariable("DOCKER_HOST") is null) return false;
        try
        {
            var r = await ExternalTool.RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(10));
            return r.ExitCode == 0 && r.StdOut.Trim().Length > 0;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }

    public async Task DisposeAsync()
    {
        if (_container is not null) await _container.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
    }
}
