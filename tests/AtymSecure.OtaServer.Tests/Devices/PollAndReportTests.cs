using System.Net;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Tests.Infrastructure;
using AtymSecure.OtaStore;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Tests.Devices;

/// <summary>Poll (ETag → 304, interval) and signed version reports (stored as signed, recorded on the device for the fleet filters, nonce echoed, replay refused).</summary>
public class PollAndReportTests
{
    private static async Task<PollAnswer> PollAnswerAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PollAnswer.Parse(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_poll_carries_the_interval_and_an_unchanged_answer_is_304_by_its_ETag()
    {
        await using var server = await OtaTestServer.StartAsync(o => o with { PollInterval = TimeSpan.FromSeconds(90) });
        using var device = await new TestDevice(server).ReadyAsync();
        var first = await device.PollAsync();
        var answer = await PollAnswerAsync(first);
        Assert.Equal(PollIntervals.Jittered(90, 10, device.Id), answer.PollIntervalSeconds); // the default jitter, fixed per device
        Assert.InRange(answer.PollIntervalSeconds, 81, 99);
        Assert.Null(answer.DirectorTargets); // no director root, no report yet: nothing to sign
        var etag = first.Headers.ETag!.Tag;
        var again = await device.PollAsync(etag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, (await device.PollAsync("\"other\"")).StatusCode);
    }

    [Fact]
    public async Task A_signed_report_is_stored_as_sent_and_its_nonce_is_acknowledged_in_the_next_poll()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        var before = (await device.PollAsync()).Headers.ETag!.Tag;
        var nonce = TestDevice.NewNonce();
        var signed = device.Signed(device.Report(nonce));
        var response = await device.ReportAsync(signed);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(nonce, ReportAnswer.Parse(await response.Content.ReadAsByteArrayAsync()).AcknowledgedNonce);
        var stored = server.App.Services.GetRequiredService<IDeviceReportStore>().Latest(device.Id)!;
        Assert.Equal(signed.Payload, ProtocolJson.BytesOf(stored.Payload));
        Assert.Equal(signed.Signature, ProtocolJson.BytesOf(stored.Signature));
        // The fleet's filters (dashboard: container version, last seen) read it from the device record.
        var devices = server.App.Services.GetRequiredService<IDeviceStore>();
        Assert.Equal(new DeviceSighting(stored.ReceivedAt, new AtymSecure.Primitives.EquatableMap<string>([KeyValuePair.Create("sensor-filter", "1.0.0")])),
            devices.Find(device.Id)!.Seen);
        Assert.Equal([device.Id], devices.Query(new DeviceQuery(Container: "sensor-filter", ContainerVersion: "1.0.0", SeenSince: stored.ReceivedAt), null, 10).Select(d => d.Id));
        var poll = await device.PollAsync(before);
        Assert.Equal(nonce, (await PollAnswerAsync(poll)).AcknowledgedNonce);
    }

    [Fact]
    public async Task A_replayed_report_is_409_and_stores_nothing()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        var signed = device.Signed(device.Report(TestDevice.NewNonce()));
        Assert.Equal(HttpStatusCode.OK, (await device.ReportAsync(signed)).StatusCode);
        await ProblemAssert.IsProblemAsync(await device.ReportAsync(signed), HttpStatusCode.Conflict, "stale-report", "$.payload.nonce");
        Assert.Single(server.App.Services.GetRequiredService<IDeviceReportStore>().Recent(device.Id, 10));
    }

    [Fact]
    public async Task A_report_not_signed_by_the_devices_key_or_about_another_device_is_refused()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        using var other = new TestDevice(server);
        await ProblemAssert.IsProblemAsync(await device.ReportAsync(other.Signed(device.Report(TestDevice.NewNonce()))), HttpStatusCode.BadRequest, "bad-signature");
        var aboutOther = device.Report(TestDevice.NewNonce()) with { DeviceId = other.Id };
        var payload = aboutOther.ToJson();
        var signedForPath = new SignedVersionReport(payload, device.Sign(DeviceSigningInputs.Report(device.Id, payload)));
        await ProblemAssert.IsProblemAsync(await device.ReportAsync(signedForPath), HttpStatusCode.BadRequest, "invalid-field", "$.payload.deviceId");
        var bad = "{\"formatVersion\":1}"u8.ToArray();
        var signedBad = new SignedVersionReport(bad, device.Sign(DeviceSigningInputs.Report(device.Id, bad)));
        await ProblemAssert.IsProblemAsync(await device.ReportAsync(signedBad), HttpStatusCode.BadRequest, "message-malformed");
        Assert.Empty(server.App.Services.GetRequiredService<IDeviceReportStore>().Recent(device.Id, 10));
    }

    [Fact]
    public async Task A_device_side_revert_is_visible_to_operators_right_after_the_report()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        var reverted = device.Report(TestDevice.NewNonce(), new TrialReport(TrialReport.Failed, "1.1.0", "health probe: exit 3"));
        Assert.Equal(HttpStatusCode.OK, (await device.ReportAsync(device.Signed(reverted))).StatusCode);
        var view = await (await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{device.Id}", server.AdminToken)).JsonAsync();
        var container = view.GetProperty("lastReport").GetProperty("containers")[0];
        Assert.Equal("1.0.0", container.GetProperty("confirmed").GetString());
        Assert.Equal(TrialReport.Failed, container.GetProperty("lastTrialVerdict").GetString());
    }

    [Fact]
    public async Task The_reported_boot_count_is_stored_and_shown_to_operators()
    {
        await using var server = await OtaTestServer.StartAsync();
        using var device = await new TestDevice(server).ReadyAsync();
        var report = device.Report(TestDevice.NewNonce()) with { BootCount = 7 };
        Assert.Equal(HttpStatusCode.OK, (await device.ReportAsync(device.Signed(report))).StatusCode);

        var stored = server.App.Services.GetRequiredService<IDeviceReportStore>().Latest(device.Id)!;
        Assert.Equal(7, VersionReport.Parse(ProtocolJson.BytesOf(stored.Payload)).BootCount);
        var view = await (await server.SendAsync(HttpMethod.Get, $"/api/v1/devices/{device.Id}", server.AdminToken)).JsonAsync();
        Assert.Equal(7, view.GetProperty("lastReport").GetProperty("bootCount").GetInt64());
    }
}
