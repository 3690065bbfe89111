using System.Diagnostics;
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
    private Process? _process;
    private IContainer? _container;
    private readonly string _root = Directory.CreateTempSubdirectory("atym-distribution-").FullName;
    private string _log = "";

    /// <summary>host:port of the running peer, e.g. 127.0.0.1:5055.</summary>
    public string HostPort { get; private set; } = "";
    public Uri BaseUri => new($"http://{HostPort}/");
    public string Kind { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (DockerEngineAnswers())
        {
            _container = new ContainerBuilder("registry:2")
                .WithPortBinding(5000, assignRandomHostPort: true)
                .WithEnvironment("REGISTRY_STORAGE_DELETE_ENABLED", "true")
                .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPath("/v2/").ForPort(5000)))
                .Build();
            await _container.StartAsync();
            HostPort = $"127.0.0.1:{_container.GetMappedPublicPort(5000)}";
            Kind = "testcontainers registry:2";
            return;
        }

        var binary = ExternalTool.Require("docker-registry");
        var port = LoopbackPort.Next();
        var config = Path.Combine(_root, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(_root, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """);
        var psi = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, e) => _log += e.Data + "\n";
        _process.OutputDataReceived += (_, e) => _log += e.Data + "\n";
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        HostPort = $"127.0.0.1:{port}";
        Kind = "debian docker-registry process";
        await LoopbackPort.WaitForHttpAsync(new Uri(BaseUri, "v2/"), TimeSpan.FromSeconds(20), () => _log);
    }

    private static bool DockerEngineAnswers()
    {
        if (!File.Exists("/var/run/docker.sock") && Environment.GetEnvironmentVariable("DOCKER_HOST") is null) return false;
        try
        {
            var r = ExternalTool.RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(10))
                .GetAwaiter().GetResult();
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
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
