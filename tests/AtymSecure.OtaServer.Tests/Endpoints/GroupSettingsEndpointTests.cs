using System.Net;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.OtaStore;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Endpoints;

/// <summary>
/// <c>/api/v1/groups/{group}/settings</c> through the real host: two groups with their own poll intervals, each device's
/// poll answer carrying its group's interval with its fixed jitter (a changed setting is a new answer even for a device
/// holding the old ETag), persisted across a restart, audited, scoped, and refusals as problems.
/// </summary>
public class GroupSettingsEndpointTests
{
    private static async Task<long> IntervalAsync(TestDevice device, string? etag = null)
    {
        using var response = await device.PollAsync(etag);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PollAnswer.Parse(await response.Content.ReadAsByteArrayAsync()).PollIntervalSeconds;
    }

    [Fact]
    public async Task Two_groups_get_their_intervals_with_jitter_and_the_setting_survives_a_restart()
    {
        await using var server = await OtaTestServer.StartAsync(o => o with { PollInterval = TimeSpan.FromSeconds(300), PollJitterPercent = 0 });
        using var eu = await new TestDevice(server).ReadyAsync(await server.CreateEnrollmentTokenAsync(groups: ["eu"]));
        using var us = await new TestDevice(server).ReadyAsync(await server.CreateEnrollmentTokenAsync(groups: ["us"]));
        using var none = await new TestDevice(server).ReadyAsync();
        Assert.Equal(300, await IntervalAsync(eu));

        using var first = await eu.PollAsync();
        var euEtag = first.Headers.ETag!.Tag;
        using var setEu = await server.SendAsync(HttpMethod.Put, "/api/v1/groups/eu/settings", server.AdminToken, new { pollIntervalSeconds = 600, pollJitterPercent = 20 });
        Assert.Equal(HttpStatusCode.OK, setEu.StatusCode);
        Assert.Equal((600, 20), ((await setEu.JsonAsync()).GetProperty("pollIntervalSeconds").GetInt32(), (await setEu.JsonAsync()).GetProperty("pollJitterPercent").GetInt32()));
        using var setUs = await server.SendAsync(HttpMethod.Put, "/api/v1/groups/us/settings", server.AdminToken, new { pollIntervalSeconds = 30 });
        Assert.Equal(HttpStatusCode.OK, setUs.StatusCode);

        var euInterval = await IntervalAsync(eu, euEtag); // the old ETag no longer matches: the interval is part of the answer
        Assert.Equal(PollIntervals.Jittered(600, 20, eu.Id), euInterval);
        Assert.InRange(euInterval, 480, 720);
        Assert.Equal(30, await IntervalAsync(us)); // jitter defaults to the server's (0 here)
        Assert.Equal(300, await IntervalAsync(none));
        var audit = server.App.Services.GetRequiredService<IAuditLog>().Page(0, 1000).Entries;
        Assert.Equal(["group/eu", "group/us"], audit.Where(e => e.Action == "group.settings").Select(e => e.Subject));

        await server.RestartAsync();
        Assert.Equal(30, server.App.Services.GetRequiredService<PollIntervals>().SecondsFor(us.Id, ["us"]));
        using var list = await server.SendAsync(HttpMethod.Get, "/api/v1/groups/settings", server.AdminToken);
        Assert.Equal(["eu", "us"], (await list.JsonAsync()).EnumerateArray().Select(s => s.GetProperty("group").GetString()));
        using var removed = await server.SendAsync(HttpMethod.Delete, "/api/v1/groups/us/settings", server.AdminToken);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(300, server.App.Services.GetRequiredService<PollIntervals>().SecondsFor(us.Id, ["us"]));
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/groups/us/settings", server.AdminToken), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_device_in_two_groups_polls_at_the_shorter_interval()
    {
        await using var server = await OtaTestServer.StartAsync(o => o with { PollJitterPercent = 0 });
        using var both = await new TestDevice(server).ReadyAsync(await server.CreateEnrollmentTokenAsync(groups: ["eu", "lab"]));
        await server.SendAsync(HttpMethod.Put, "/api/v1/groups/eu/settings", server.AdminToken, new { pollIntervalSeconds = 900 });
        await server.SendAsync(HttpMethod.Put, "/api/v1/groups/lab/settings", server.AdminToken, new { pollIntervalSeconds = 45 });
        Assert.Equal(45, await IntervalAsync(both));
    }

    [Theory]
    [InlineData("/api/v1/groups/eu/settings", "{\"pollIntervalSeconds\":0}", 400, "invalid-field")]
    [InlineData("/api/v1/groups/eu/settings", "{\"pollIntervalSeconds\":86401}", 400, "invalid-field")]
    [InlineData("/api/v1/groups/eu/settings", "{\"pollIntervalSeconds\":60,\"pollJitterPercent\":51}", 400, "invalid-field")]
    [InlineData("/api/v1/groups/eu/settings", "{\"pollJitterPercent\":5}", 400, "malformed-json")]
    [InlineData("/api/v1/groups/eu/settings", "{\"pollIntervalSeconds\":60,\"colour\":1}", 400, "unknown-field")]
    [InlineData("/api/v1/groups/EU!/settings", "{\"pollIntervalSeconds\":60}", 400, "invalid-field")]
    public async Task Bad_settings_are_typed_problems_and_change_nothing(string path, string body, int status, string code)
    {
        await using var server = await OtaTestServer.StartAsync();
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Put, path, server.AdminToken, body), (HttpStatusCode)status, code);
        Assert.Empty(server.App.Services.GetRequiredService<IGroupSettingsStore>().List());
    }

    [Fact]
    public async Task Only_an_admin_sets_settings_and_a_scoped_viewer_sees_its_groups_only()
    {
        await using var server = await OtaTestServer.StartAsync();
        var deployer = await server.CreateTokenAsync("deployer", ["eu"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.SendAsync(HttpMethod.Put, "/api/v1/groups/eu/settings", deployer, new { pollIntervalSeconds = 60 })).StatusCode);
        await server.SendAsync(HttpMethod.Put, "/api/v1/groups/eu/settings", server.AdminToken, new { pollIntervalSeconds = 60 });
        await server.SendAsync(HttpMethod.Put, "/api/v1/groups/us/settings", server.AdminToken, new { pollIntervalSeconds = 60 });
        var viewer = await server.CreateTokenAsync("viewer", ["eu"]);
        using var list = await server.SendAsync(HttpMethod.Get, "/api/v1/groups/settings", viewer);
        Assert.Equal(["eu"], (await list.JsonAsync()).EnumerateArray().Select(s => s.GetProperty("group").GetString()));
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/groups/us/settings", viewer), HttpStatusCode.Forbidden, "out-of-scope");
    }
}
