namespace AtymSecure.TestSupport;

/// <summary>
/// Debian's <c>docker-registry</c> (CNCF distribution) started as a process on 127.0.0.1 with its own
/// config and storage in a temp dir (deletes enabled). Fails with what to install when it is missing.
/// </summary>
public sealed class DistributionRegistryServer : IAsyncDisposable
{
    private readonly BackgroundProcess _process;
    private readonly string _root;

    private DistributionRegistryServer(BackgroundProcess process, string root, int port)
    {
        _process = process;
        _root = root;
        HostPort = $"127.0.0.1:{port}";
    }

    /// <summary>host:port of the registry, e.g. 127.0.0.1:5055.</summary>
    public string HostPort { get; }

    public Uri BaseUri => new($"http://{HostPort}/");

    public string Log => _process.Log;

    public static async Task<DistributionRegistryServer> StartAsync()
    {
        const string hint = "install the Debian package 'docker-registry' (scripts/test-deps.sh does)";
        ExternalTool.Require("docker-registry", hint);
        var root = Directory.CreateTempSubdirectory("atym-distribution-").FullName;
        var port = LoopbackPort.Next();
        var config = Path.Combine(root, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(root, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """).ConfigureAwait(false);
        var server = new DistributionRegistryServer(BackgroundProcess.Start("docker-registry", ["serve", config], hint), root, port);
        try
        {
            await LoopbackPort.WaitForHttpAsync(new Uri(server.BaseUri, "v2/"), TimeSpan.FromSeconds(20), () => server.Log).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
