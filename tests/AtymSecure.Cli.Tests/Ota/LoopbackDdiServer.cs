using System.Net;
using System.Net.Http.Headers;
using AtymSecure.OtaServer.Ddi;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// The OTA host <c>atym ota serve --ddi</c> runs (<see cref="LoopbackOtaServer"/> with DDI at its defaults: tenant
/// DEFAULT, TargetToken and GatewayToken on), on a real loopback port in this process, for the <c>atym ota ddi …</c>
/// verbs. <see cref="PollAsync"/> is a DDI controller's base poll over real HTTP, to show that a token the CLI printed is
/// one the server accepts.
/// </summary>
public sealed class LoopbackDdiServer : LoopbackOtaServer
{
    private readonly HttpClient _http = new();

    public LoopbackDdiServer()
        : base("cli-ota-ddi", new DdiOptions())
    {
    }

    public string[] Server(params string[] args) => [.. args, "--server", Url, "--token", AdminToken];

    /// <summary>GET /DEFAULT/controller/v1/{controllerId} with <c>Authorization: {scheme} {token}</c>; the status.</summary>
    public async Task<HttpStatusCode> PollAsync(string controllerId, string scheme, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Url}/DEFAULT/controller/v1/{Uri.EscapeDataString(controllerId)}");
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    public override async Task DisposeAsync()
    {
        _http.Dispose();
        await base.DisposeAsync();
    }
}
