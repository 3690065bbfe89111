using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.Fleet.Tests;

/// <summary><see cref="ServerRoute"/>: spread by device index, sticky, a refused connection retried on the next replica, any
/// other failure returned and only the next request moved, back on its own replica after a while, the device's own offline
/// fault never a failover.</summary>
public sealed class ServerRouteTests
{
    private static readonly Uri One = new("http://127.0.0.1:7001/"), Two = new("http://127.0.0.1:7002/");

    private static HttpRequestMessage Poll() => new(HttpMethod.Get, new Uri(One, "/api/v1/devices/atym-a/poll"));

    private static HttpRequestException Refused() =>
        new(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));

    [Fact]
    public async Task Devices_spread_over_the_replicas_by_index_and_stay_on_theirs()
    {
        var seen = new List<string>();
        Task<HttpResponseMessage> Record(HttpRequestMessage r)
        {
            seen.Add(r.RequestUri!.GetLeftPart(UriPartial.Path));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotModified));
        }
        for (var device = 0; device < 4; device++)
        {
            var route = new ServerRoute([One, Two], device);
            await route.SendAsync(Poll(), Record);
            await route.SendAsync(Poll(), Record);
        }
        Assert.Equal(["7001", "7001", "7002", "7002", "7001", "7001", "7002", "7002"], seen.Select(u => new Uri(u).Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(seen, u => Assert.EndsWith("/api/v1/devices/atym-a/poll", u, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_connection_is_sent_again_to_the_next_replica_which_stays_current()
    {
        var route = new ServerRoute([One, Two], 0);
        var ports = new List<int>();
        var response = await route.SendAsync(Poll(), r =>
        {
            ports.Add(r.RequestUri!.Port);
            return r.RequestUri.Port == 7001 ? throw Refused() : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([7001, 7002], ports);
        Assert.Equal((Two, 1), (route.Current, route.Failovers));
    }

    [Fact]
    public async Task A_moved_device_tries_its_own_replica_again_after_HomeAgain_and_moves_on_at_once_if_it_is_still_down()
    {
        var clock = new FakeTimeProvider();
        var route = new ServerRoute([One, Two], 0, clock);
        var down = true;
        var ports = new List<int>();
        Task<HttpResponseMessage> Send(HttpRequestMessage r)
        {
            ports.Add(r.RequestUri!.Port);
            return down && r.RequestUri.Port == 7001 ? throw Refused() : Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotModified));
        }
        await route.SendAsync(Poll(), Send);
        clock.Advance(ServerRoute.HomeAgain - TimeSpan.FromSeconds(1));
        Assert.Equal(Two, route.Current);

        // Still down when it tries again: refused, resent to the other at once, and another HomeAgain there.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(One, route.Current);
        Assert.Equal(HttpStatusCode.NotModified, (await route.SendAsync(Poll(), Send)).StatusCode);
        Assert.Equal((Two, 2), (route.Current, route.Failovers));

        // Back up: after HomeAgain the device is on its own replica again, and stays.
        down = false;
        clock.Advance(ServerRoute.HomeAgain);
        await route.SendAsync(Poll(), Send);
        clock.Advance(ServerRoute.HomeAgain);
        await route.SendAsync(Poll(), Send);
        Assert.Equal([7001, 7002, 7001, 7002, 7001, 7001], ports);
        Assert.Equal((One, 2), (route.Current, route.Failovers));
    }

    [Fact]
    public async Task Another_failure_is_returned_to_the_agent_and_only_the_next_request_moves()
    {
        var route = new ServerRoute([One, Two], 0);
        var reset = new HttpRequestException(HttpRequestError.ResponseEnded, "the server closed the connection mid-response");
        var ports = new List<int>();
        var thrown = await Assert.ThrowsAsync<HttpRequestException>(() => route.SendAsync(Poll(), r => { ports.Add(r.RequestUri!.Port); throw reset; }));
        Assert.Same(reset, thrown);
        Assert.Equal([7001], ports); // not sent twice: the first replica may have handled it
        Assert.Equal(Two, route.Current);
    }

    [Fact]
    public async Task When_every_replica_refuses_the_failure_is_returned_and_the_device_own_offline_fault_is_no_failover()
    {
        var route = new ServerRoute([One, Two], 0);
        await Assert.ThrowsAsync<HttpRequestException>(() => route.SendAsync(Poll(), _ => throw Refused()));
        Assert.Equal(2, route.Failovers);

        var offline = new ServerRoute([One, Two], 0);
        await Assert.ThrowsAsync<HttpRequestException>(() => offline.SendAsync(Poll(), _ => throw new HttpRequestException(SimulatedLink.OfflineMessage + " until 12:00:00")));
        Assert.Equal((One, 0), (offline.Current, offline.Failovers));
    }

    [Fact]
    public async Task A_request_to_another_host_is_sent_as_it_is()
    {
        var route = new ServerRoute([One, Two], 1);
        var elsewhere = new Uri("http://127.0.0.1:9000/v2/");
        Uri? sent = null;
        await route.SendAsync(new HttpRequestMessage(HttpMethod.Get, elsewhere), r => { sent = r.RequestUri; return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)); });
        Assert.Equal(elsewhere, sent);
    }
}
