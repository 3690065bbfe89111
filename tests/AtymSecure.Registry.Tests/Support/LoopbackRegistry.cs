using AtymSecure.Registry.Hosting;
using Microsoft.AspNetCore.Builder;

namespace AtymSecure.Registry.Tests.Support;

/// <summary>The registry on real Kestrel at 127.0.0.1 (ephemeral port), for tests that need real sockets.</summary>
public sealed class LoopbackRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackRegistry(WebApplication app, string dataDirectory, Uri address)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public string DataDirectory { get; }
    public Uri Address { get; }
    public HttpClient Client { get; }

    public static async Task<LoopbackRegistry> StartAsync(Func<RegistryOptions, RegistryOptions>? customize = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "atym-registry-tests", Guid.NewGuid().ToString("N"));
        var options = new RegistryOptions { DataDirectory = data, ListenUrl = "127.0.0.1:0" };
        var app = RegistryServer.Build(customize?.Invoke(options) ?? options);
        await app.StartAsync();
        return new LoopbackRegistry(app, data, RegistryServer.ListeningAddress(app));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
    }
}
