using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Endpoints;

/// <summary>
/// The operator API in the real host over the real registry: import through the job queue, progress, assignment with
/// its audit entry, the desired state it gives and the bundle it names; refusals; the registry down and a restart.
/// </summary>
public sealed class ReleaseEndpointsTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>
{
    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static async Task<JsonElement> JobAsync(ReleaseHost host, string id, Func<JsonElement, bool> until, string what)
    {
        JsonElement job = default;
        await Wait.UntilAsync(() =>
        {
            using var response = host.Client.GetAsync($"/api/v1/jobs/{id}").Result;
            job = JsonOf(response).Result;
            return until(job);
        }, what, TimeSpan.FromSeconds(120));
        return job;
    }

    private static DeviceRecord Device(string id, params string[] groups) => new(id, "AAAA", "fp-" + id, "linux-x86_64", "host",
        [new DevicePartition("sensor-filter", 1 << 20)], "1.0.0", DeviceState.Active, 0, new EquatableList<string>(groups), EquatableMap<string>.Empty,
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0);

    [Fact]
    public async Task Release_import_assign_and_the_desired_state_names_a_bundle_the_public_url_serves()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        using var posted = await host.Client.PostAsync("/api/v1/releases", Body($"{{\"reference\":\"{world.SensorFilter("1.0.0")}\"}}"));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var jobId = (await JsonOf(posted)).GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/jobs/{jobId}", posted.Headers.Location!.ToString());

        var job = await JobAsync(host, jobId, j => j.GetProperty("state").GetString() is "succeeded" or "failed", "the import to finish");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.StartsWith("released rel-", job.GetProperty("progress").GetString(), StringComparison.Ordinal);
        var releaseId = job.GetProperty("resultId").GetString()!;
        var release = await JsonOf(await host.Client.GetAsync($"/api/v1/releases/{releaseId}"));
        Assert.Equal(("sensor-filter", 1), (release.GetProperty("container").GetString(), release.GetProperty("securityCounter").GetInt32()));
        Assert.Equal("wasmtime-native", release.GetProperty("images")[0].GetProperty("codeKind").GetString());

        Assert.True(host.Service<IDeviceStore>().TryAdd(Device("atym-00000000000000a1")));
        using var assigned = await host.Client.PostAsync("/api/v1/assignments", Body($"{{\"releaseId\":\"{releaseId}\",\"deviceId\":\"atym-00000000000000a1\"}}"));
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        var audit = host.Service<IAuditLog>().Page(0, 100).Entries;
        Assert.Contains(audit, e => e.Action == "release.import");
        var entry = Assert.Single(audit, e => e.Action == "assignment.set");
        Assert.Equal(("device/atym-00000000000000a1/sensor-filter", (string?)null), (entry.Subject, entry.Before));
        Assert.Contains(releaseId, entry.After, StringComparison.Ordinal);
        var listed = await JsonOf(await host.Client.GetAsync("/api/v1/assignments?deviceId=atym-00000000000000a1"));
        Assert.Equal(releaseId, listed.GetProperty("assignments")[0].GetProperty("releaseId").GetString());

        var desired = await host.Service<DesiredStateResolver>().ResolveAsync(new DeviceView("atym-00000000000000a1", "linux-x86_64", EquatableMap<string>.Empty));
        var container = Assert.Single(desired.Containers);
        using var bundle = await host.Client.GetAsync(container.Bundle.Url);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        var bytes = await bundle.Content.ReadAsByteArrayAsync();
        Assert.Equal((container.Bundle.Length, container.Bundle.Sha256), ((ulong)bytes.Length, Digest.Compute(bytes).Encoded));
        Assert.Equal(release.GetProperty("images")[0].GetProperty("imageDigest").GetString(), "sha256:" + container.Image.Sha256);
    }

    [Fact]
    public async Task A_deployer_scoped_to_eu_test_assigns_inside_its_group_and_outside_it_is_refused_as_an_unknown_device()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        var releaseId = await host.ImportAsync(world.SensorFilter("1.0.0"));
        Assert.True(host.Service<IDeviceStore>().TryAdd(Device("atym-00000000000000e1", "eu-test")));
        Assert.True(host.Service<IDeviceStore>().TryAdd(Device("atym-00000000000000b1", "lab")));
        Assert.True(host.Service<IDeviceStore>().TryAdd(Device("atym-00000000000000c1")));
        using var created = await host.Client.PostAsync("/api/v1/tokens", Body("{\"label\":\"eu deployer\",\"role\":\"deployer\",\"groups\":[\"eu-test\"]}"));
        var token = (await JsonOf(created)).GetProperty("token").GetString()!;
        using var deployer = Microsoft.AspNetCore.TestHost.HostBuilderTestServerExtensions.GetTestClient(host.App);
        deployer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        using var inside = await deployer.PostAsync("/api/v1/assignments", Body($"{{\"releaseId\":\"{releaseId}\",\"deviceId\":\"atym-00000000000000e1\"}}"));
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        var audited = host.Service<IAuditLog>().Page(0, 100).Entries.Count;
        foreach (var outside in new[] { "atym-00000000000000b1", "atym-00000000000000c1" })
        {
            // Outside its groups the device does not exist for this token: the same answer as an unknown id, nothing learnt.
            using var refused = await deployer.PostAsync("/api/v1/assignments", Body($"{{\"releaseId\":\"{releaseId}\",\"deviceId\":\"{outside}\"}}"));
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await JsonOf(refused);
            Assert.Equal("https://atym.dev/problems/device-not-found", problem.GetProperty("type").GetString());
            Assert.Contains($"no device '{outside}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Empty(await host.Service<IAssignmentStore>().ListForDeviceAsync(outside));
        }
        Assert.Equal(audited, host.Service<IAuditLog>().Page(0, 100).Entries.Count);
        // Its reads are scoped the same way: only the eu-test device's assignment is listed.
        using var admin = await host.Client.PostAsync("/api/v1/assignments", Body($"{{\"releaseId\":\"{releaseId}\",\"deviceId\":\"atym-00000000000000b1\"}}"));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        var listed = await JsonOf(await deployer.GetAsync($"/api/v1/assignments?releaseId={releaseId}"));
        Assert.Equal(["atym-00000000000000e1"], listed.GetProperty("assignments").EnumerateArray().Select(a => a.GetProperty("deviceId").GetString()));
    }

    [Theory]
    [InlineData("{\"reference\":\"R\",\"extra\":1}", 400, "request-invalid")]
    [InlineData("{\"reference\":\"registry.example.com/a/b:1.0.0\"}", 400, "registry-not-allowed")]
    [InlineData("{\"reference\":\"R\",\"security\":true,\"securityCounter\":3}", 400, "counter-conflict")]
    [InlineData("{\"reference\":\"R\",\"deviceClasses\":[\"toaster\"]}", 400, "unknown-device-class")]
    [InlineData("[1,2]", 400, "request-invalid")]
    public async Task A_bad_release_request_is_a_4xx_problem_and_queues_nothing(string body, int status, string code)
    {
        await using var host = await ReleaseHost.StartAsync(world);
        using var response = await host.Client.PostAsync("/api/v1/releases", Body(body.Replace("\"R\"", $"\"{world.SensorFilter("1.0.0")}\"", StringComparison.Ordinal)));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains($"https://atym.dev/problems/{code}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await host.Service<IJobStore>().ListUnfinishedAsync());
    }

    [Fact]
    public async Task Without_a_token_nothing_is_readable_and_an_unknown_release_job_or_device_is_404()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        using var anonymous = Microsoft.AspNetCore.TestHost.HostBuilderTestServerExtensions.GetTestClient(host.App);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/releases")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/api/v1/releases/rel-0000000000000000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/api/v1/jobs/job-0000000000000000")).StatusCode);
        using var assign = await host.Client.PostAsync("/api/v1/assignments", Body("{\"releaseId\":\"rel-0000000000000000\",\"deviceId\":\"atym-x\"}"));
        Assert.Equal(HttpStatusCode.NotFound, assign.StatusCode);
        Assert.Contains("release-not-found", await assign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_registry_down_the_job_shows_the_error_survives_a_restart_and_succeeds_once_the_registry_is_back()
    {
        var reference = await world.FreshCopyAsync("sf-1.1.0", "1.1.0");
        await world.Registry.StopAsync();
        var registryUp = false;
        try
        {
            var host = await ReleaseHost.StartAsync(world);
            using var posted = await host.Client.PostAsync("/api/v1/releases", Body($"{{\"reference\":\"{reference}\"}}"));
            var jobId = (await JsonOf(posted)).GetProperty("id").GetString()!;
            var failing = await JobAsync(host, jobId, j => j.TryGetProperty("error", out var e) && e.GetProperty("code").GetString() == "registry-unavailable",
                "the registry failure to show in the job");
            Assert.Equal("queued", failing.GetProperty("state").GetString());
            Assert.Contains("registry is unavailable", failing.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

            var data = await host.StopAsync(); // the server goes away with the job unfinished
            await world.Registry.InitializeAsync(); // same port and data: the registry is back
            registryUp = true;
            await using var restarted = await ReleaseHost.StartAsync(world, data, host.AdminToken);
            var done = await JobAsync(restarted, jobId, j => j.GetProperty("state").GetString() is "succeeded" or "failed", "the resumed import to finish");
            Assert.Equal("succeeded", done.GetProperty("state").GetString());
            Assert.True(done.GetProperty("attempts").GetInt32() >= 2);
            Assert.NotNull(await restarted.Service<IReleaseStore>().GetAsync(done.GetProperty("resultId").GetString()!));
        }
        finally
        {
            if (!registryUp) await world.Registry.InitializeAsync(); // the other tests of the class need it
        }
    }
}
