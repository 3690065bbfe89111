using AtymSecure.Registry.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace AtymSecure.Registry.Tests.Support;

/// <summary>
/// The registry hosted in-process on a TestServer, with its data in a fresh temporary folder.
/// <see cref="RestartAsync"/> stops it and starts a new instance on the same folder (what a process
/// restart does). Other test projects can copy this pattern: build with
/// <c>RegistryServer.Build(options, b =&gt; b.WebHost.UseTestServer())</c>, start, <c>GetTestClient()</c>.
/// </summary>
public sealed class InProcessRegistryFixture : IAsyncLifetime, IAsyncDisposable
{
    private readonly Func<RegistryOptions, RegistryOptions> _customize;
    private readonly Action<WebApplicationBuilder>? _configure;
    private WebApplication? _app;

    public InProcessRegistryFixture() : this(o => o)
    {
    }

    /// <param name="customize">Changes to the default options (data folder and URL are set already).</param>
    /// <param name="configure">Extra builder changes, e.g. replacing the <see cref="TimeProvider"/>.</param>
    public InProcessRegistryFixture(Func<RegistryOptions, RegistryOptions> customize, Action<WebApplicationBuilder>? configure = null)
    {
        _customize = customize;
        _configure = configure;
        DataDirectory = Path.Combine(Path.GetTempPath(), "atym-registry-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
    }

    public string DataDirectory { get; }
    public RegistryOptions Options { get; private set; } = new();
    public HttpClient Client { get; private set; } = null!;
    public WebApplication App => _app ?? throw new InvalidOperationException("not started");

    /// <summary>Creates and starts a fixture (for tests that need their own registry).</summary>
    public static async Task<InProcessRegistryFixture> StartAsync(Func<RegistryOptions, RegistryOptions>? customize = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var fixture = new InProcessRegistryFixture(customize ?? (o => o), configure);
        await fixture.InitializeAsync();
        return fixture;
    }

    public async Task InitializeAsync()
    {
        Options = _customize(new RegistryOptions { DataDirectory = DataDirectory, ListenUrl = "http://127.0.0.1:0" });
        _app = RegistryServer.Build(Options, b =>
        {
            b.WebHost.UseTestServer();
            _configure?.Invoke(b);
        });
        await _app.StartAsync();
        Client = _app.GetTestClient();
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await InitializeAsync();
    }

    /// <summary>Another client of the same in-process server (e.g. with its own Authorization header).</summary>
    public HttpClient CreateClient() => App.GetTestClient();

    public T GetService<T>() where T : notnull =>
        (T?)App.Services.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T)} not registered");

    private async Task StopAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
