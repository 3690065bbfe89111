using System.Collections.Concurrent;
using System.Net;
using AtymSecure.OtaServer.Endpoints;
using AtymSecure.OtaServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Endpoints;

/// <summary>
/// <see cref="PollFastPath"/> answers a valid session's poll before routing and must answer exactly what the routed
/// endpoint would; every other request must reach the routed path untouched. Which path answered is read from the
/// request's route values after the whole pipeline ran (only routing sets them), recorded by a startup filter that
/// wraps the server's own pipeline.
/// </summary>
public class PollFastPathTests
{
    [Theory]
    [InlineData("/api/v1/devices/dev-1/poll", "dev-1")]
    [InlineData("/api/v1/devices/x/poll", "x")]
    [InlineData("/api/v1/devices//poll", null)]
    [InlineData("/api/v1/devices/dev-1/poll/", null)]
    [InlineData("/api/v1/devices/a/b/poll", null)]
    [InlineData("/api/v1/devices/dev-1/reports", null)]
    [InlineData("/API/V1/devices/dev-1/poll", null)]
    [InlineData("/api/v1/devices/poll", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Only_a_path_of_the_polls_exact_shape_names_a_device(string? path, string? id) => Assert.Equal(id, PollFastPath.DeviceIdIn(path));

    [Fact]
    public async Task A_valid_sessions_poll_is_answered_before_routing_with_the_routed_endpoints_answer()
    {
        var routed = new ConcurrentQueue<(string Path, bool Routed)>();
        await using var server = await OtaTestServer.StartAsync(host: b => RecordRouting(b, routed));
        using var device = await new TestDevice(server).ReadyAsync();

        using var changed = await device.PollAsync();
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var etag = changed.Headers.ETag!.Tag;
        using var notModified = await device.PollAsync(etag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag!.Tag);
        Assert.Equal("no-cache", notModified.Headers.CacheControl!.ToString());
        Assert.Equal([false, false], Polls(routed, device.Id));

        // The routed endpoint, reached with the same session through a path the fast path does not take (upper case
        // literals match the route table, not the fast path): the same status, ETag and body.
        using var viaRoute = await device.GetAsync($"/API/V1/devices/{device.Id}/poll");
        Assert.Equal(HttpStatusCode.OK, viaRoute.StatusCode);
        Assert.Equal(etag, viaRoute.Headers.ETag!.Tag);
        Assert.Equal(await changed.Content.ReadAsByteArrayAsync(), await viaRoute.Content.ReadAsByteArrayAsync());
        Assert.Contains(routed, r => r.Routed && r.Path.StartsWith("/API/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refusals_are_left_to_the_routed_path_and_keep_their_specific_codes()
    {
        var routed = new ConcurrentQueue<(string Path, bool Routed)>();
        await using var server = await OtaTestServer.StartAsync(host: b => RecordRouting(b, routed));
        using var alice = await new TestDevice(server).ReadyAsync();
        using var bob = await new TestDevice(server).ReadyAsync();

        await ProblemAssert.IsProblemAsync(await alice.PollAsync(asDevice: bob.Id), HttpStatusCode.NotFound, "not-found");
        var session = alice.Session!;
        alice.Session = session[..^4] + (session[^4] == 'A' ? "BBBB" : "AAAA");
        await ProblemAssert.IsProblemAsync(await alice.PollAsync(), HttpStatusCode.Unauthorized, "session-invalid");
        alice.Session = null;
        await ProblemAssert.IsProblemAsync(await alice.PollAsync(), HttpStatusCode.Unauthorized, "unauthenticated");
        alice.Session = session;
        server.Clock.Advance(TimeSpan.FromHours(1));
        await ProblemAssert.IsProblemAsync(await alice.PollAsync(), HttpStatusCode.Unauthorized, "token-expired");

        Assert.Equal([true, true, true], Polls(routed, alice.Id));
        Assert.Equal([true], Polls(routed, bob.Id)); // alice's poll of bob's id
    }

    private static bool[] Polls(ConcurrentQueue<(string Path, bool Routed)> seen, string deviceId) =>
        [.. seen.Where(s => s.Path == $"/api/v1/devices/{deviceId}/poll").Select(s => s.Routed)];

    private static void RecordRouting(WebApplicationBuilder builder, ConcurrentQueue<(string Path, bool Routed)> seen) =>
        builder.Services.AddSingleton<IStartupFilter>(new RoutingRecorder(seen));

    private sealed class RoutingRecorder(ConcurrentQueue<(string Path, bool Routed)> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                await inner(context);
                seen.Enqueue((context.Request.Path.Value ?? "", context.Request.RouteValues.Count > 0));
            });
            next(app);
        };
    }
}
