using AtymSecure.Oci.Remote;
using AtymSecure.Registry.Hosting;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace AtymSecure.Signer.Tests.Infrastructure;

/// <summary>
/// Our registry (AtymSecure.Registry) as a real Kestrel server on 127.0.0.1 with a free port, so
/// that other processes (node) can reach it. One per test class via IClassFixture.
/// </summary>
public sealed class LoopbackRegistry : IAsyncLifetime
{
    private readonly TempFolder _data = TempFolder.Create("signer-registry");
    private WebApplication? _app;

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _app = RegistryServer.Build(new RegistryOptions { DataDirectory = _data.Path, ListenUrl = "http://127.0.0.1:0", Fsync = false });
        await _app.StartAsync();
        var address = RegistryServer.ListeningAddress(_app);
        Host = $"127.0.0.1:{address.Port}";
    }

    /// <summary>A client for <c>HOST/name</c> over plain HTTP.</summary>
    public Repository Repository(string name) => new($"{Host}/{name}", new RemoteOptions { PlainHttp = true });

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _data.Dispose();
    }
}
