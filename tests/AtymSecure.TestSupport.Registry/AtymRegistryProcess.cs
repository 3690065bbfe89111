namespace AtymSecure.TestSupport.Registry;

/// <summary>
/// Our registry as a real process (`atym registry serve`) on 127.0.0.1, so external programs
/// (skopeo, node) can reach it and so it can be killed with SIGKILL and restarted on the same data.
/// Needs the CLI built next to the tests (a ProjectReference to cli/); in-process tests use <see cref="LoopbackRegistry"/>.
/// </summary>
public sealed class AtymRegistryProcess : IAsyncDisposable
{
    private BackgroundProcess? _process;
    private string _earlierLog = "";

    private readonly IReadOnlyList<string> _serveArguments;

    /// <param name="serveArguments">More options of <c>atym registry serve</c> (e.g. <c>--policies DIR</c>).</param>
    public AtymRegistryProcess(string? dataDirectory = null, IReadOnlyList<string>? serveArguments = null)
    {
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("atym-registry-").FullName;
        Port = LoopbackPort.Next();
        _serveArguments = serveArguments ?? [];
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public string HostPort => $"127.0.0.1:{Port}";
    public Uri BaseUri => new($"http://{HostPort}/");

    /// <summary>What every process started on this data directory printed, across kills and restarts.</summary>
    public string Log => _earlierLog + _process?.Log;

    public static async Task<AtymRegistryProcess> StartAsync(string? dataDirectory = null)
    {
        var registry = new AtymRegistryProcess(dataDirectory);
        await registry.StartAsync();
        return registry;
    }

    public async Task StartAsync()
    {
        var atym = Path.Combine(AppContext.BaseDirectory, "atym.dll");
        if (!File.Exists(atym)) throw new InvalidOperationException($"{atym} is missing: the CLI was not built next to the tests");
        _process = BackgroundProcess.Start("dotnet", [atym, "registry", "serve", "--listen", HostPort, "--data", DataDirectory, .. _serveArguments]);
        await LoopbackPort.WaitForHttpAsync(new Uri(BaseUri, "v2/"), TimeSpan.FromSeconds(60), () => Log);
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — like a crash or a power cut of the server.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        await _process.DisposeAsync();
        _earlierLog += _process.Log;
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
