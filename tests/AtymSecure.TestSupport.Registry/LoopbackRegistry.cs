using AtymSecure.Oci.Remote;
using AtymSecure.Registry.Hosting;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace AtymSecure.TestSupport.Registry;

/// <summary>
/// Our registry (AtymSecure.Registry) in this process on real Kestrel at 127.0.0.1 (a free port), with
/// its data in a fresh <see cref="TempFolder"/>: real sockets, so HttpClient, the OCI client, raw
/// sockets and other processes (node, skopeo) all reach it the same way. The one registry fixture of
/// the test projects (a process that can be SIGKILLed is <see cref="AtymRegistryProcess"/>).
/// <para>
/// Use it as a field started in the test class's <c>InitializeAsync</c>, as an <c>IClassFixture</c>,
/// or alone through <see cref="StartAsync"/>. Auth/token mode is the registry's own: pass
/// <c>o =&gt; o with { AuthConfigPath = ... }</c>. <see cref="RestartAsync"/> stops the server and
/// starts a new one on the same folder and port (what a process restart does), so addresses held by
/// a test stay valid.
/// </para>
/// </summary>
public sealed class LoopbackRegistry : IAsyncLifetime, IAsyncDisposable
{
    private readonly Func<RegistryOptions, RegistryOptions> _customize;
    private readonly Action<WebApplicationBuilder>? _configure;
    private readonly TempFolder _data = TempFolder.Create("registry");
    private readonly List<HttpClient> _clients = [];
    private WebApplication? _app;
    private Uri? _address;

    /// <summary>Default options (the only public constructor: xunit builds class fixtures through it).</summary>
    public LoopbackRegistry() : this(o => o, null)
    {
    }

    private LoopbackRegistry(Func<RegistryOptions, RegistryOptions> customize, Action<WebApplicationBuilder>? configure)
    {
        _customize = customize;
        _configure = configure;
    }

    /// <summary>A registry not started yet (start it with <see cref="InitializeAsync"/>, e.g. from the test class's own).</summary>
    /// <param name="customize">Changes to the default options (data folder and listen URL are set already).</param>
    /// <param name="configure">Extra builder changes, e.g. replacing the <see cref="TimeProvider"/>.</param>
    public static LoopbackRegistry Create(Func<RegistryOptions, RegistryOptions>? customize = null, Action<WebApplicationBuilder>? configure = null) =>
        new(customize ?? (o => o), configure);

    /// <summary>The registry's data folder (exists from construction; deleted on dispose).</summary>
    public string DataDirectory => _data.Path;

    public RegistryOptions Options { get; private set; } = new();

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Address => _address ?? throw NotStarted();

    /// <summary><c>127.0.0.1:PORT</c>, the registry part of a reference.</summary>
    public string Host => Address.Authority;

    /// <summary>A client with <see cref="Address"/> as base address (renewed by <see cref="RestartAsync"/>).</summary>
    public HttpClient Client { get; private set; } = null!;

    public WebApplication App => _app ?? throw NotStarted();

    /// <summary>Creates and starts a registry (for tests that need their own).</summary>
    public static async Task<LoopbackRegistry> StartAsync(Func<RegistryOptions, RegistryOptions>? customize = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var registry = Create(customize, configure);
        await registry.InitializeAsync();
        return registry;
    }

    public async Task InitializeAsync()
    {
        var listen = _address is null ? "http://127.0.0.1:0" : $"http://{_address.Authority}";
        Options = _customize(new RegistryOptions { DataDirectory = DataDirectory, ListenUrl = listen });
        _app = RegistryServer.Build(Options, _configure);
        await _app.StartAsync();
        _address = RegistryServer.ListeningAddress(_app);
        if (!_address.AbsolutePath.EndsWith('/')) _address = new Uri(_address, "/");
        Client = CreateClient();
    }

    /// <summary>Stops the server and starts a new one on the same data folder and port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await InitializeAsync();
    }

    /// <summary>Stops the server (its data stays until dispose), e.g. to run an offline tool on the folder.</summary>
    public async Task StopAsync()
    {
        foreach (var client in _clients) client.Dispose();
        _clients.Clear();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>Another client of the registry (e.g. with its own Authorization header); disposed with the registry.</summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = Address };
        _clients.Add(client);
        return client;
    }

    public T GetService<T>() where T : notnull =>
        (T?)App.Services.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T)} not registered");

    /// <summary>An OCI client repository for <c>HOST/name</c> (plain HTTP unless <paramref name="options"/> say otherwise).</summary>
    public Repository Repository(string name, RemoteOptions? options = null) => new($"{Host}/{name}", options ?? new RemoteOptions { PlainHttp = true });

    /// <summary>An OCI client for the whole registry (catalog).</summary>
    public AtymSecure.Oci.Remote.Registry Registry(RemoteOptions? options = null) => new(Host, options ?? new RemoteOptions { PlainHttp = true });

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _data.Dispose();
    }

    private static InvalidOperationException NotStarted() => new("the registry is not started (call InitializeAsync or StartAsync)");
}
