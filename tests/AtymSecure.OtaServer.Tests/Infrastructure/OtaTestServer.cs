using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.OtaServer.Tests.Infrastructure;

/// <summary>
/// The OTA service in-process (TestServer) over a real data folder and database, with a fake clock tests move
/// forward. <see cref="RestartAsync"/> stops it and starts it again on the same folder (a process restart).
/// </summary>
public sealed class OtaTestServer : IAsyncDisposable
{
    private readonly TempFolder _folder;
    private readonly bool _ownsFolder = true;
    private readonly Func<OtaServerOptions, OtaServerOptions> _customize;
    private readonly Action<WebApplicationBuilder>? _host;

    private OtaTestServer(TempFolder folder, Func<OtaServerOptions, OtaServerOptions> customize, Action<WebApplicationBuilder>? host)
    {
        _folder = folder;
        _customize = customize;
        _host = host;
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    public WebApplication App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string DataDirectory => _folder.Path;

    /// <summary>The admin token the last start created (null when the folder had tokens already).</summary>
    public string? CreatedAdminToken { get; private set; }

    /// <summary>The admin token of the first start, kept across restarts.</summary>
    public string? AdminToken { get; private set; }

    /// <param name="customize">Changes to the options.</param>
    /// <param name="host">More for the host builder after the test server and clock (a log provider, say).</param>
    public static async Task<OtaTestServer> StartAsync(Func<OtaServerOptions, OtaServerOptions>? customize = null, Action<WebApplicationBuilder>? host = null)
    {
        var server = new OtaTestServer(TempFolder.Create("ota-server"), customize ?? (o => o), host);
        await server.BootAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>A second server on <paramref name="peer"/>'s data folder (session key, director keys) with the same options
    /// customization, for replicas on one shared store; it leaves the folder to the peer.</summary>
    public static async Task<OtaTestServer> StartReplicaAsync(OtaTestServer peer, Func<OtaServerOptions, OtaServerOptions>? customize = null)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var server = new OtaTestServer(peer._folder, customize ?? peer._customize, peer._host, ownsFolder: false) { AdminToken = peer.AdminToken };
        await server.BootAsync().ConfigureAwait(false);
        return server;
    }

    private OtaTestServer(TempFolder folder, Func<OtaServerOptions, OtaServerOptions> customize, Action<WebApplicationBuilder>? host, bool ownsFolder)
        : this(folder, customize, host) => _ownsFolder = ownsFolder;

    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await BootAsync().ConfigureAwait(false);
    }

    private async Task BootAsync()
    {
        var options = _customize(new OtaServerOptions { DataDirectory = _folder.Path, ListenUrl = "http://127.0.0.1:0", PublicOrigin = TestDevice.Origin });
        App = OtaServerHost.Build(options, builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.AddSingleton<TimeProvider>(Clock);
            _host?.Invoke(builder);
        });
        await App.StartAsync().ConfigureAwait(false);
        Client = App.GetTestClient();
        CreatedAdminToken = App.Services.GetRequiredService<AdminTokenBootstrap>().CreatedText;
        AdminToken ??= CreatedAdminToken;
    }

    private async Task StopAsync()
    {
        Client.Dispose();
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_ownsFolder) _folder.Dispose();
    }
}
