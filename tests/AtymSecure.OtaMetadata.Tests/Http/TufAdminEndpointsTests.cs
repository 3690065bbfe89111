using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using AtymSecure.OtaContracts;
using AtymSecure.OtaMetadata.Http;
using AtymSecure.OtaMetadata.Keys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AtymSecure.OtaMetadata.Tests.Http;

/// <summary>
/// The operator endpoints on Kestrel loopback with a stand-in for the OTA host's token auth (header "role: admin|viewer"):
/// the policies are the host's names, the uploads the real checks.
/// </summary>
public sealed class TufAdminEndpointsTests : IAsyncLifetime
{
    private readonly RepositoryFixture _fixture = new();
    private readonly HttpClient _http = new();
    private WebApplication? _app;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<TimeProvider>(_fixture.Clock);
        builder.Services.AddSingleton(_fixture.Image);
        builder.Services.AddSingleton(_fixture.Director);
        builder.Services.AddSingleton<IOnlineKeyStore>(_fixture.Keys);
        builder.Services.AddAuthentication("test").AddScheme<AuthenticationSchemeOptions, RoleHeaderAuth>("test", null);
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy(OtaPolicies.Admin, p => p.RequireRole("admin"));
            o.AddPolicy(OtaPolicies.Viewer, p => p.RequireRole("admin", "viewer"));
        });
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (OtaProblemException e)
            {
                context.Response.StatusCode = e.Status;
                await context.Response.WriteAsJsonAsync(new { code = e.Problems[0].Code });
            }
        });
        _app.MapTufAdminEndpoints();
        await _app.StartAsync();
        _base = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        await _app!.DisposeAsync();
        _http.Dispose();
        _fixture.Dispose();
    }

    private Task<HttpResponseMessage> Put(string path, byte[] body, string? role)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_base, path.TrimStart('/'))) { Content = new ByteArrayContent(body) };
        if (role is not null) request.Headers.Add("role", role);
        return _http.SendAsync(request);
    }

    [Fact]
    public async Task An_admin_publishes_a_vendor_listing_and_a_viewer_may_not()
    {
        var listing = _fixture.VendorListing("sensor-filter", "1.2.0", [1, 2, 3]);

        var asViewer = await Put("/api/v1/tuf/image/delegations/vendor-acme", listing, "viewer");
        var anonymous = await Put("/api/v1/tuf/image/delegations/vendor-acme", listing, null);
        Assert.Null(_fixture.Image.Published.Delegated.GetValueOrDefault("vendor-acme"));
        var asAdmin = await Put("/api/v1/tuf/image/delegations/vendor-acme", listing, "admin");
        var replay = await Put("/api/v1/tuf/image/delegations/vendor-acme", listing, "admin");

        Assert.Equal(HttpStatusCode.Forbidden, asViewer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, asAdmin.StatusCode);
        Assert.Equal(1, _fixture.Image.Published.Delegated["vendor-acme"].Signed.Version);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("rollback-version", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_metadata_cap_is_refused_unread()
    {
        var response = await Put("/api/v1/tuf/image/root", new byte[2 * 1024 * 1024], "admin");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(1, _fixture.Image.Roots.Current!.Signed.Version);
    }

    [Fact]
    public async Task Viewers_read_status_and_online_keys()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, "api/v1/tuf/status"));
        request.Headers.Add("role", "viewer");
        using var keysRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, "api/v1/tuf/online-keys"));
        keysRequest.Headers.Add("role", "viewer");

        using var status = JsonDocument.Parse(await (await _http.SendAsync(request)).Content.ReadAsStringAsync());
        using var keys = JsonDocument.Parse(await (await _http.SendAsync(keysRequest)).Content.ReadAsStringAsync());

        Assert.Contains(status.RootElement.EnumerateArray(), r => r.GetProperty("role").GetString() == "timestamp" && r.GetProperty("level").GetString() == "ok");
        Assert.Equal(_fixture.Online(OnlineRole.Compiler).PublicKey.KeyId, keys.RootElement.GetProperty("compiler")[0].GetProperty("keyid").GetString());
    }

    private sealed class RoleHeaderAuth(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue("role", out var role)) return Task.FromResult(AuthenticateResult.NoResult());
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, role.ToString()), new Claim(ClaimTypes.Name, "test")], "test");
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "test")));
        }
    }
}
