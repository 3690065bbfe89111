using System.Net;
using System.Net.Http.Headers;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// The OTA host <c>atym ota serve --ddi</c> runs (no registry, DDI with its defaults: tenant DEFAULT, TargetToken and
/// GatewayToken on), on a real loopback port in this process, for the <c>atym ota ddi …</c> verbs. <see cref="PollAsync"/>
/// is a DDI controller's base poll over real HTTP, to show that a token the CLI printed is one the server accepts.
/// </summary>
public sealed class LoopbackDdiServer : IAsyncLifetime
{
    private readonly TempFolder _folder = TempFolder.Create("cli-ota-ddi");
    private readonly HttpClient _http = new();
    private WebApplication? _app;

    public string Url { get; private set; } = "";

    public string AdminToken { get; private set; } = "";

    public T Service<T>() where T : notnull => _app!.Services.GetRequiredService<T>();

    public string[] Server(params string[] args) => [.. args, "--server", Url, "--token", AdminToken];

    /// <summary>GET /DEFAULT/controller/v1/{controllerId} with <c>Authorization: {scheme} {token}</c>; the status.</summary>
    public async Task<HttpStatusCode> PollAsync(string controllerId, string scheme, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Url}/DEFAULT/controller/v1/{Uri.EscapeDataString(controllerId)}");
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    public async Task InitializeAsync()
    {
        _app = OtaServerHost.Build(new OtaServerOptions { DataDirectory = _folder.File("ota"), ListenUrl = "127.0.0.1:0", Ddi = new DdiOptions() }.EnsureValid());
        await _app.StartAsync();
        Url = OtaServerHost.ListeningAddress(_app).ToString().TrimEnd('/');
        AdminToken = Service<AdminTokenBootstrap>().CreatedText!;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        _folder.Dispose();
    }
}
