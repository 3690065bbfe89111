using System.Net;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaServer.Tests.Hosting;

/// <summary>
/// Two OTA servers on one PostgreSQL database and one data folder (the session key): a device moving between them is
/// answered from what either stored, never from what one process happened to remember — its acknowledged nonce never
/// goes back, the ETag is the same on both for the same stored state, and a decommission on one refuses it on the other.
/// </summary>
[Trait("Requires", "postgres")]
public sealed class ReplicaPollTests : IDisposable
{
    private readonly string _database = PostgresServer.Shared.CreateDatabase("ota_replicas");

    public void Dispose() => PostgresServer.Shared.DropDatabase(_database);

    private static async Task<(PollAnswer Answer, string? ETag, HttpStatusCode Status)> PollAsync(TestDevice device, string? etag = null)
    {
        using var response = await device.PollAsync(etag);
        var tag = response.Headers.ETag?.Tag;
        return response.StatusCode == HttpStatusCode.OK
            ? (PollAnswer.Parse(await response.Content.ReadAsByteArrayAsync()), tag, response.StatusCode)
            : (null!, tag, response.StatusCode);
    }

    [Fact]
    public async Task A_device_moving_between_replicas_never_sees_its_answer_go_back()
    {
        await using var one = await OtaTestServer.StartAsync(o => o with { Store = PostgresServer.Shared.Url(_database) });
        await using var two = await OtaTestServer.StartReplicaAsync(one);
        using var device = await new TestDevice(one).ReadyAsync();

        // Report to one: two answers with its nonce; both replicas give the same bytes, so the same ETag.
        var first = TestDevice.NewNonce();
        Assert.Equal(HttpStatusCode.OK, (await device.ReportAsync(device.Signed(device.Report(first)))).StatusCode);
        var atOne = await PollAsync(device);
        var atTwo = await PollAsync(device.Via(two));
        Assert.Equal((first, first), (atOne.Answer.AcknowledgedNonce, atTwo.Answer.AcknowledgedNonce));
        Assert.Equal(atOne.ETag, atTwo.ETag);
        Assert.Equal(HttpStatusCode.NotModified, (await PollAsync(device.Via(one), atTwo.ETag)).Status);

        // Report to two: one, which remembered the first report, answers the second (not a 304 of its stale answer).
        var second = TestDevice.NewNonce();
        Assert.Equal(HttpStatusCode.OK, (await device.Via(two).ReportAsync(device.Signed(device.Report(second)))).StatusCode);
        var moved = await PollAsync(device.Via(one), atOne.ETag);
        Assert.Equal((HttpStatusCode.OK, second), (moved.Status, moved.Answer.AcknowledgedNonce));
        Assert.Equal(moved.ETag, (await PollAsync(device.Via(two))).ETag);

        // A replayed report is refused by the other replica too (the nonce is in the shared store).
        await ProblemAssert.IsProblemAsync(await device.Via(one).ReportAsync(device.Signed(device.Report(second))), HttpStatusCode.Conflict, "stale-report");

        // Decommissioned through two: one refuses the device's next poll at once.
        Assert.Equal(HttpStatusCode.OK, (await two.SendAsync(HttpMethod.Post, $"/api/v1/devices/{device.Id}/decommission", two.AdminToken)).StatusCode);
        await ProblemAssert.IsProblemAsync(await device.Via(one).PollAsync(), HttpStatusCode.Unauthorized, "token-revoked");
    }
}
