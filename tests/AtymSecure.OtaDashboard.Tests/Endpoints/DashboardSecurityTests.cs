using System.Net;
using AtymSecure.OtaDashboard.Tests.Support;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Tests.Endpoints;

/// <summary>
/// The dashboard is as trustworthy as the API: no page without a session, a session cookie no script or other site can
/// use, a strict CSP (directives checked one by one), the API's roles enforced by the server, and no form accepted without
/// this server's antiforgery token or from another origin.
/// </summary>
public sealed class DashboardSecurityTests : IAsyncLifetime
{
    private DashboardHost _host = null!;

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("/ui/devices")]
    [InlineData("/ui/devices/d00")]
    [InlineData("/ui/releases")]
    [InlineData("/ui/deployments")]
    public async Task Pages_refuse_without_login_and_send_to_the_login_page(string path)
    {
        using var ui = _host.Ui();
        using var response = await ui.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/ui/login?returnUrl=" + Uri.EscapeDataString(path), response.Headers.Location!.OriginalString);
        Assert.DoesNotContain("d00", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_events_and_actions_refuse_without_login_with_401()
    {
        var deployment = await _host.DeploymentAsync();
        using var ui = _host.Ui();
        using var events = await ui.GetAsync($"/ui/deployments/{deployment.Id}/events", "text/event-stream");
        Assert.Equal(HttpStatusCode.Unauthorized, events.StatusCode);
        var csrf = await ui.CsrfAsync("/ui/login");
        using var pause = await ui.PostAsync($"/ui/deployments/{deployment.Id}/pause", [], csrf);
        Assert.Equal(HttpStatusCode.Unauthorized, pause.StatusCode);
        Assert.Contains("unauthenticated", await pause.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(DeploymentStatus.Running, Status(deployment.Id));
    }

    [Fact]
    public async Task A_wrong_token_is_refused_and_gets_no_session()
    {
        using var ui = _host.Ui();
        using var refused = await ui.LoginAsync("atym_0000dead_" + new string('A', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("unknown operator token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(ui.Cookies.ContainsKey("atym-ui-session"));
    }

    [Theory]
    [InlineData("http", false)]
    [InlineData("https", true)]
    public async Task The_session_cookie_is_HttpOnly_SameSite_strict_scoped_to_ui_and_Secure_on_TLS(string scheme, bool secure)
    {
        using var ui = _host.Ui(scheme);
        using var login = await ui.LoginAsync(_host.AdminToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/ui/devices", login.Headers.Location!.OriginalString);
        var line = Assert.Single(ui.SetCookieLines, l => l.StartsWith("atym-ui-session=", StringComparison.Ordinal));
        var attributes = line.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/ui", attributes);
        Assert.Equal(secure, attributes.Contains("secure"));
        // The session value is not the token, and the API does not take the cookie.
        Assert.DoesNotContain(_host.AdminToken, line, StringComparison.Ordinal);
        using var api = await ui.GetAsync("/api/v1/devices");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains("d00", await ui.PageAsync("/ui/devices"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logging_out_or_revoking_the_token_ends_the_session()
    {
        using var ui = _host.Ui();
        await ui.LoginAsync(_host.AdminToken);
        var cookie = ui.Cookies["atym-ui-session"];
        var csrf = await ui.CsrfAsync("/ui/devices");
        using (var logout = await ui.PostAsync("/ui/logout", [], csrf)) Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        ui.Cookies["atym-ui-session"] = cookie; // a stolen copy of the old cookie is dead too
        using (var after = await ui.GetAsync("/ui/devices")) Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);

        var viewer = await _host.TokenAsync("viewer");
        using var second = _host.Ui();
        await second.LoginAsync(viewer);
        Assert.Contains("d00", await second.PageAsync("/ui/devices"), StringComparison.Ordinal);
        var id = viewer.Split('_')[1];
        using var api = _host.Api();
        (await api.DeleteAsync($"/api/v1/tokens/{id}")).EnsureSuccessStatusCode();
        using var revoked = await second.GetAsync("/ui/devices");
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
    }

    [Theory]
    [InlineData("/ui/login")]
    [InlineData("/ui/devices")]
    [InlineData("/ui/deployments")]
    [InlineData("/ui/releases")]
    [InlineData("/ui/devices/nobody")]
    [InlineData("/ui/assets/dashboard.js")]
    public async Task Every_answer_carries_the_strict_CSP_directive_by_directive(string path)
    {
        using var ui = _host.Ui();
        await ui.LoginAsync(_host.AdminToken);
        using var response = await ui.GetAsync(path);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(' ', 2)).ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "", StringComparer.Ordinal);
        Assert.Equal("'none'", directives["default-src"]);
        Assert.Equal("'self'", directives["script-src"]);
        Assert.Equal("'self'", directives["style-src"]);
        Assert.Equal("'self'", directives["connect-src"]);
        Assert.Equal("'self'", directives["img-src"]);
        Assert.Equal("'self'", directives["form-action"]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["base-uri"]);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("*", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task A_viewer_sees_the_rollout_but_the_server_refuses_its_actions()
    {
        var deployment = await _host.DeploymentAsync();
        using var ui = _host.Ui();
        await ui.LoginAsync(await _host.TokenAsync("viewer"));
        var page = await ui.PageAsync($"/ui/deployments/{deployment.Id}");
        Assert.Contains("<button type=\"submit\" disabled>Pause</button>", page, StringComparison.Ordinal);
        var csrf = UiClient.CsrfOf(page);
        foreach (var action in new[] { "pause", "cancel", "rollback" })
        {
            using var refused = await ui.PostAsync($"/ui/deployments/{deployment.Id}/{action}", [], csrf);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("a viewer token may not do this", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using var create = await ui.PostAsync("/ui/deployments", [KeyValuePair.Create("releaseId", _host.V1.Id), KeyValuePair.Create("groups", "eu")], csrf);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(DeploymentStatus.Running, Status(deployment.Id));
        Assert.Single(_host.Service<AtymSecure.OtaRollouts.Service.RolloutService>().List());
    }

    [Fact]
    public async Task A_forged_cross_site_post_is_refused_and_changes_nothing()
    {
        var deployment = await _host.DeploymentAsync();
        using var ui = _host.Ui();
        await ui.LoginAsync(_host.AdminToken);
        var path = $"/ui/deployments/{deployment.Id}/pause";
        // Another site's form: it cannot read our token, so it posts none, or one of its own making.
        using (var none = await ui.PostAsync(path, [], csrf: null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
            Assert.Contains("form-token-invalid", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var forged = await ui.PostAsync(path, [], csrf: "CfDJ8" + new string('x', 80))) Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        // A token of another session (the attacker's own login) does not fit this session.
        using var attacker = _host.Ui();
        await attacker.LoginAsync(await _host.TokenAsync("deployer"));
        var theirs = await attacker.CsrfAsync("/ui/deployments");
        using (var mixed = await ui.PostAsync(path, [], theirs)) Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
        // Our token, but the browser says the form came from elsewhere.
        var ours = await ui.CsrfAsync($"/ui/deployments/{deployment.Id}");
        using (var crossSite = await ui.PostAsync(path, [], ours, origin: "https://evil.example"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
            Assert.Contains("cross-site-form", await crossSite.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(DeploymentStatus.Running, Status(deployment.Id));
        // The same press from our own page works.
        using var ok = await ui.PostAsync(path, [], ours, origin: "http://dashboard.test");
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal(DeploymentStatus.Paused, Status(deployment.Id));
    }

    [Fact]
    public async Task The_login_redirects_only_to_dashboard_paths()
    {
        using var ui = _host.Ui();
        var csrf = await ui.CsrfAsync("/ui/login?returnUrl=%2Fui%2Freleases");
        using var local = await ui.PostAsync("/ui/login", [KeyValuePair.Create("token", _host.AdminToken), KeyValuePair.Create("returnUrl", "/ui/releases")], csrf);
        Assert.Equal("/ui/releases", local.Headers.Location!.OriginalString);
        foreach (var away in new[] { "https://evil.example/", "//evil.example/ui/", "/ui//evil.example", "/api/v1/tokens", "/ui\\..\\x" })
            Assert.Null(AtymSecure.OtaDashboard.Endpoints.LoginEndpoints.LocalOnly(away));
    }

    private DeploymentStatus Status(string id) => _host.Service<AtymSecure.OtaRollouts.Service.RolloutService>().Find(id)!.Status;
}
