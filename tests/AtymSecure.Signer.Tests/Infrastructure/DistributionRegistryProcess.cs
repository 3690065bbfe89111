using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AtymSecure.Oci.Remote;

namespace AtymSecure.Signer.Tests.Infrastructure;

/// <summary>
/// Debian's <c>docker-registry</c> (CNCF distribution 2.8) as a process on 127.0.0.1. It has no
/// referrers API, so everything attached to it goes through the <c>sha256-&lt;hex&gt;</c> fallback tag.
/// </summary>
public sealed class DistributionRegistryProcess : IAsyncLifetime
{
    private readonly TempDirectory _root = new();
    private readonly StringBuilder _log = new();
    private Process? _process;

    public string Host { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var binary = ProcessRunner.Require("docker-registry", "install the Debian package 'docker-registry' (scripts/test-deps.sh does)");
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var config = _root.Write("config.yml", $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {_root.File("data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """);
        var psi = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        Host = $"127.0.0.1:{port}";

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (_process.HasExited) break;
            try
            {
                using var response = await http.GetAsync(new Uri($"http://{Host}/v2/"));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        string log;
        lock (_log) log = _log.ToString();
        throw new InvalidOperationException($"docker-registry did not start on {Host}: {log}");
    }

    public Repository Repository(string name) => new($"{Host}/{name}", new RemoteOptions { PlainHttp = true });

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _root.Dispose();
    }
}
