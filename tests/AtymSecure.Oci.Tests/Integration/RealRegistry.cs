using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Registry.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace AtymSecure.Oci.Tests.Integration;

/// <summary>
/// Our registry server (AtymSecure.Registry) in-process on a TestServer, or on a real loopback
/// port, with a fresh data folder; hands out client <see cref="Repository"/> objects wired to it.
/// </summary>
internal sealed class RealRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient? _client;

    private RealRegistry(WebApplication app, string dataDirectory, HttpClient? client, string host)
    {
        _app = app;
        DataDirectory = dataDirectory;
        _client = client;
        Host = host;
    }

    public string DataDirectory { get; }

    /// <summary><c>localhost</c> on a TestServer, <c>127.0.0.1:PORT</c> on loopback.</summary>
    public string Host { get; }

    public static async Task<RealRegistry> StartAsync(Func<RegistryOptions, RegistryOptions>? customize = null, bool loopback = false)
    {
        var data = TestData.TempDir();
        var options = (customize ?? (o => o))(new RegistryOptions { DataDirectory = data, ListenUrl = "http://127.0.0.1:0" });
        var app = loopback ? RegistryServer.Build(options) : RegistryServer.Build(options, b => b.WebHost.UseTestServer());
        await app.StartAsync();
        if (loopback)
        {
            var address = RegistryServer.ListeningAddress(app);
            return new RealRegistry(app, data, null, $"127.0.0.1:{address.Port}");
        }
        return new RealRegistry(app, data, app.GetTestClient(), "localhost");
    }

    public RemoteOptions Options(ICredentialProvider? credentials = null, long chunkThreshold = 16L * 1024 * 1024, int chunkSize = 8 * 1024 * 1024) => new()
    {
        HttpClient = _client, // null on loopback: the library's own pooled client, real sockets
        Credentials = credentials,
        ChunkedUploadThreshold = chunkThreshold,
        ChunkSize = chunkSize,
        PageSize = 2,
    };

    public Repository Repo(string name, RemoteOptions? options = null) => new($"{Host}/{name}", options ?? Options());

    public AtymSecure.Oci.Remote.Registry Registry(RemoteOptions? options = null) => new(Host, options ?? Options());

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
