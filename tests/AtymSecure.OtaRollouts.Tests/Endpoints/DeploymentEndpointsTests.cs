using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaServer.Tests.Fuzz;
using AtymSecure.OtaStore;
using AtymSecure.TestSupport.Ota;
using CsCheck;

namespace AtymSecure.OtaRollouts.Tests.Endpoints;

/// <summary><c>/api/v1/deployments</c> through the real host: create, read per-wave counts and the timeline, operator actions, problem+json, fuzzed bodies.</summary>
[Collection(MetricsCollection.Name)] // one test reads the exported active-deployments gauge, which every host in the process feeds
public sealed class DeploymentEndpointsTests : IAsyncLifetime
{
    private SeededOtaHost _host = null!;

    public async Task InitializeAsync() => _host = await SeededOtaHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string Valid => $$"""{"releaseId":"{{_host.V2.Id}}","target":{"groups":["eu","us"]},"canary":2,"waves":["50%","100%"],"soak":"30s","halt":{"failures":1,"ratio":"20%","minFinished":5},"deviceTimeout":"10m","retries":2}""";

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(string path, string? body, string mediaType = "application/json")
    {
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, mediaType);
        var response = await _host.Client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    [Fact]
    public async Task A_deployment_is_created_and_shows_its_waves_counts_and_timeline()
    {
        var (status, created, response) = await PostAsync("/api/v1/deployments", Valid);
        Assert.Equal(HttpStatusCode.Created, status);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/deployments/{id}", response.Headers.Location!.OriginalString);
        var view = JsonDocument.Parse(await _host.Client.GetStringAsync(new Uri($"/api/v1/deployments/{id}", UriKind.Relative))).RootElement;
        Assert.Equal("running", view.GetProperty("status").GetString());
        var waves = view.GetProperty("waves").EnumerateArray().ToList();
        Assert.Equal(["canary", "wave 1", "wave 2"], waves.Select(w => w.GetProperty("name").GetString()));
        Assert.Equal((2, 2), (waves[0].GetProperty("devices").GetInt32(), waves[0].GetProperty("downloading").GetInt32()));
        Assert.Equal(2, waves[1].GetProperty("pending").GetInt32());
        Assert.Equal(["created", "started"], view.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(6, view.GetProperty("devices").GetArrayLength());
        var list = JsonDocument.Parse(await _host.Client.GetStringAsync(new Uri("/api/v1/deployments", UriKind.Relative))).RootElement;
        Assert.Equal(id, list.GetProperty("deployments")[0].GetProperty("id").GetString());
        var audit = _host.Service<IAuditLog>().Page(0, 1000).Entries;
        Assert.Equal(2, audit.Count(e => e.Action == "rollout.device-offered"));
    }

    [Fact]
    public async Task Operator_actions_move_the_deployment_and_refusals_are_problems()
    {
        var (_, created, _) = await PostAsync("/api/v1/deployments", Valid);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("paused", (await PostAsync($"/api/v1/deployments/{id}/pause", null)).Body.GetProperty("status").GetString());
        var again = await PostAsync($"/api/v1/deployments/{id}/pause", null);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("https://atym.dev/problems/deployment-state-conflict", again.Body.GetProperty("type").GetString());
        Assert.Equal("application/problem+json", again.Response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("running", (await PostAsync($"/api/v1/deployments/{id}/resume", null)).Body.GetProperty("status").GetString());
        var approve = await PostAsync($"/api/v1/deployments/{id}/approve", null);
        Assert.Equal("https://atym.dev/problems/approval-not-required", approve.Body.GetProperty("type").GetString());
        var rollback = await PostAsync($"/api/v1/deployments/{id}/rollback", null);
        Assert.Equal("https://atym.dev/problems/nothing-to-roll-back", rollback.Body.GetProperty("type").GetString());
        Assert.Equal("cancelled", (await PostAsync($"/api/v1/deployments/{id}/cancel", null)).Body.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("/api/v1/deployments/dep-0000000000000000/cancel", null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync(new Uri("/api/v1/deployments/dep-none", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_rollback_below_the_floor_is_201_with_the_previous_code_re_released_at_the_floor()
    {
        for (var i = 0; i < 6; i++) await _host.ReportConfirmedAsync($"d{i:D2}", "1.0.0");
        var (_, created, _) = await PostAsync("/api/v1/deployments", Valid);
        var id = created.GetProperty("id").GetString()!;
        var canary = created.GetProperty("devices").EnumerateArray().First(d => d.GetProperty("state").GetString() == "offered").GetProperty("deviceId").GetString()!;
        await _host.ReportConfirmedAsync(canary, "2.0.0");

        var (status, rollback, response) = await PostAsync($"/api/v1/deployments/{id}/rollback", null);
        Assert.Equal(HttpStatusCode.Created, status);
        var releaseId = rollback.GetProperty("releaseId").GetString()!;
        Assert.Equal(Release.IdFor(_host.V1.ManifestDigest, 2), releaseId);
        Assert.Equal(("1.0.0", id, $"/api/v1/deployments/{rollback.GetProperty("id").GetString()}"),
            (rollback.GetProperty("version").GetString(), rollback.GetProperty("rollbackOf").GetString(), response.Headers.Location!.OriginalString));
        Assert.Equal([canary], rollback.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("deviceId").GetString()));
        var again = (await _host.Service<IReleaseStore>().GetAsync(releaseId))!;
        Assert.Equal((2ul, _host.V1.ManifestDigest, _host.V1.Images), (again.SecurityCounter, again.ManifestDigest, again.Images));
        var view = JsonDocument.Parse(await _host.Client.GetStringAsync(new Uri($"/api/v1/deployments/{id}", UriKind.Relative))).RootElement;
        Assert.Equal("rolled-back", view.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_active_deployments_metric_follows_creation_and_cancellation()
    {
        Assert.Equal(0, await ActiveDeploymentsAsync());
        var (_, created, _) = await PostAsync("/api/v1/deployments", Valid);
        Assert.Equal(1, await ActiveDeploymentsAsync());
        Assert.Equal("paused", (await PostAsync($"/api/v1/deployments/{created.GetProperty("id").GetString()}/pause", null)).Body.GetProperty("status").GetString());
        Assert.Equal(1, await ActiveDeploymentsAsync());
        await PostAsync($"/api/v1/deployments/{created.GetProperty("id").GetString()}/cancel", null);
        Assert.Equal(0, await ActiveDeploymentsAsync());
    }

    /// <summary>The <c>atym_ota_active_deployments</c> sample of a Prometheus scrape of <c>/metrics</c>.</summary>
    private async Task<double> ActiveDeploymentsAsync()
    {
        var text = await _host.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = text.Split('\n').Single(l => l.StartsWith("atym_ota_active_deployments", StringComparison.Ordinal));
        return double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_second_operator_approves_and_the_creator_cannot()
    {
        var (_, created, _) = await PostAsync("/api/v1/deployments", Valid.Replace("\"retries\":2", "\"retries\":2,\"requireApproval\":true", StringComparison.Ordinal));
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("awaiting-approval", created.GetProperty("status").GetString());
        Assert.Equal("https://atym.dev/problems/approval-by-same-operator", (await PostAsync($"/api/v1/deployments/{id}/approve", null)).Body.GetProperty("type").GetString());
        var (_, token, _) = await PostAsync("/api/v1/tokens", """{"label":"bob","role":"deployer"}""");
        using var bob = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/v1/deployments/{id}/approve", UriKind.Relative));
        bob.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("token").GetString());
        using var approved = await _host.Client.SendAsync(bob);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("running", JsonDocument.Parse(await approved.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("{\"releaseId\":\"rel-0000000000000000\",\"target\":{\"groups\":[\"eu\"]}}", 404, "release-not-found")]
    [InlineData("{\"releaseId\":\"REL\",\"target\":{\"groups\":[\"asia\"]}}", 404, "release-not-found")]
    [InlineData("{\"releaseId\":\"R\",\"target\":{},\"soak\":\"soon\"}", 400, "deployment-request-invalid")]
    [InlineData("{\"releaseId\":\"R\",\"target\":{\"groups\":[\"eu\"]},\"colour\":\"red\"}", 400, "deployment-request-invalid")]
    [InlineData("{\"releaseId\":\"R\",\"target\":{\"groups\":[\"asia\"]}}", 422, "deployment-no-targets")]
    public async Task Bad_requests_are_typed_problems(string body, int status, string code)
    {
        var (answer, problem, _) = await PostAsync("/api/v1/deployments", body.Replace("\"R\"", $"\"{_host.V2.Id}\"", StringComparison.Ordinal));
        Assert.Equal(status, (int)answer);
        Assert.Equal("https://atym.dev/problems/" + code, problem.GetProperty("type").GetString());
        Assert.Empty(_host.Service<RolloutService>().List());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_and_no_token_is_401()
    {
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostAsync("/api/v1/deployments", Valid, "text/plain")).Status);
        using var plain = Microsoft.AspNetCore.TestHost.HostBuilderTestServerExtensions.GetTestClient(_host.App);
        Assert.Equal(HttpStatusCode.Unauthorized, (await plain.GetAsync(new Uri("/api/v1/deployments", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public void Fuzzed_bodies_get_a_4xx_problem_or_a_deployment_and_never_a_5xx()
    {
        JsonBodyMutations.Of(Encoding.UTF8.GetBytes(Valid)).Sample(body =>
        {
            var before = _host.Service<RolloutService>().List().Count;
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/deployments", UriKind.Relative))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            using var response = _host.Client.SendAsync(request).GetAwaiter().GetResult();
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"answered {status} to {Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)])}");
            var after = _host.Service<RolloutService>().List().Count;
            if (status >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(before, after);
            }
            else Assert.Equal((201, before + 1), (status, after));
        }, iter: 150, threads: 1);
    }
}

/// <summary>Runs alone: OpenTelemetry listens to every meter of the process by name, so other hosts' gauges would mix in.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "exported metrics";
}
