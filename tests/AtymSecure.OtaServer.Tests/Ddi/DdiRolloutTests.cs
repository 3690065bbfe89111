using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Formats.DeviceProtocol.Ddi;
using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Tests.Ddi;

/// <summary>
/// A DDI device in the same deployment as an atym agent, over real loopback HTTP: it is offered the release through
/// deploymentBase, downloads the artifact (whole, by Range, its .MD5SUM; HEAD as GET without the body), reports with feedback, and the rollout engine
/// counts it with the atym device; a failure fails it and halts the deployment; a cancel withdraws it through
/// cancelAction; a closed action answers 410.
/// </summary>
public class DdiRolloutTests
{
    private static readonly OperatorIdentity Admin = new("0admin00", "admin", OperatorRole.Admin, []);

    private static async Task<(HttpClient Client, DdiDeploymentBase Deployment, string Href)> OfferedAsync(DdiHost host, string controllerId, string token)
    {
        var client = host.Client(token);
        var polled = await DdiHost.PollAsync(client, controllerId);
        var href = polled.Links?.DeploymentBase?.Href;
        Assert.NotNull(href);
        Assert.Contains("?c=", href, StringComparison.Ordinal);
        var answer = await client.GetAsync(href);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return (client, DdiJson.ReadDeploymentBase(await answer.Content.ReadAsByteArrayAsync()), href);
    }

    private static string Feedback(string controllerId, string actionId) => DdiPaths.DeploymentFeedback(DdiHost.Tenant, controllerId, actionId).TrimStart('/');

    [Fact]
    public async Task An_atym_device_and_a_ddi_device_succeed_in_one_deployment()
    {
        await using var host = await DdiHost.StartAsync();
        var token = await host.CreateTargetAsync("gw-1", "eu");
        var deployment = await host.DeployAsync();
        Assert.Equal(["d00", "gw-1"], deployment.Devices.Select(d => d.DeviceId).Order(StringComparer.Ordinal));

        var (client, offered, _) = await OfferedAsync(host, "gw-1", token);
        using var _client = client;
        var chunk = Assert.Single(offered.Deployment.Chunks);
        Assert.Equal(("2.0.0", "sensor-filter"), (chunk.Version, chunk.Name));
        Assert.Equal((DdiHandlingType.Attempt, DdiHandlingType.Attempt, (DdiMaintenanceWindow?)null), (offered.Deployment.Download, offered.Deployment.Update, offered.Deployment.MaintenanceWindow));
        var artifact = Assert.Single(chunk.Artifacts!);
        var file = host.Artifacts.File;
        Assert.Equal((file.FileName, file.Length, file.Sha256, file.Sha1, file.Md5), (artifact.Filename, artifact.Size, artifact.Hashes.Sha256, artifact.Hashes.Sha1, artifact.Hashes.Md5));
        Assert.Equal("linux-gateway", Assert.Single(host.Artifacts.Requests.Select(r => r.Device.DeviceClass).Distinct()));

        // Downloads: whole, a range (206), a range past the end (416), the .MD5SUM line.
        var download = artifact.Links!.Download!.Href;
        Assert.Equal(host.Artifacts.Bytes, await client.GetByteArrayAsync(download));
        using (var range = new HttpRequestMessage(HttpMethod.Get, download) { Headers = { Range = new RangeHeaderValue(1000, 1999) } })
        {
            var partial = await client.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(host.Artifacts.Bytes[1000..2000], await partial.Content.ReadAsByteArrayAsync());
        }
        using (var past = new HttpRequestMessage(HttpMethod.Get, download) { Headers = { Range = new RangeHeaderValue(file.Length + 10, null) } })
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await client.SendAsync(past)).StatusCode);
        var md5sum = await client.GetStringAsync(artifact.Links.Md5Sum!.Href);
        Assert.Equal($"{file.Md5}  {file.FileName}\n", md5sum);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(download + "x")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Feedback("gw-1", offered.Id), DdiHost.Feedback("download", "none"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Feedback("gw-1", offered.Id), DdiHost.Feedback("proceeding", "none", "installing"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Feedback("gw-1", offered.Id), DdiHost.Feedback("closed", "success", "installed"))).StatusCode);
        var late = await client.PostAsync(Feedback("gw-1", offered.Id), DdiHost.Feedback("closed", "success"));
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await client.GetAsync($"{DdiHost.Base("gw-1")}/deploymentBase/{offered.Id}")).StatusCode);

        var after = await DdiHost.PollAsync(client, "gw-1");
        Assert.Null(after.Links!.DeploymentBase);
        Assert.EndsWith($"/installedBase/{offered.Id}", after.Links.InstalledBase!.Href, StringComparison.Ordinal);
        Assert.NotNull(after.Links.ConfigData); // asked again after a successful action, as hawkBit does
        var installed = DdiJson.ReadDeploymentBase(await client.GetByteArrayAsync(after.Links.InstalledBase.Href + "?actionHistory=-1"));
        Assert.Equal(["closed/success: installed", "proceeding/none: installing", "download/none: step"], installed.ActionHistory!.Messages!.Take(3));

        Assert.Equal(DeviceRolloutState.Succeeded, host.Deployment(deployment.Id).Device("gw-1")!.State);
        Assert.Equal(DeviceRolloutState.Offered, host.Deployment(deployment.Id).Device("d00")!.State);
        await host.Host.ReportConfirmedAsync("d00", "2.0.0");
        Assert.All(host.Deployment(deployment.Id).Devices, d => Assert.Equal(DeviceRolloutState.Succeeded, d.State));
    }

    [Fact]
    public async Task Head_on_the_artifact_answers_as_get_without_a_body_and_records_nothing()
    {
        await using var host = await DdiHost.StartAsync();
        var token = await host.CreateTargetAsync("gw-1", "eu");
        await host.DeployAsync();
        var (client, offered, _) = await OfferedAsync(host, "gw-1", token);
        using var _client = client;
        var artifact = Assert.Single(Assert.Single(offered.Deployment.Chunks).Artifacts!);
        var download = artifact.Links!.Download!.Href;
        var file = host.Artifacts.File;
        var stored = host.Service<IDdiStore>().FindAction(long.Parse(offered.Id, System.Globalization.CultureInfo.InvariantCulture))!;

        using (var got = await client.GetAsync(download))
        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, download)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(file.Length, head.Content.Headers.ContentLength);
            Assert.Equal($"\"{file.Sha256}\"", head.Headers.ETag?.Tag);
            Assert.Equal(["bytes"], head.Headers.AcceptRanges);
            Assert.Equal((got.Headers.ETag, got.Content.Headers.ContentLength, got.Content.Headers.ContentType), (head.Headers.ETag, head.Content.Headers.ContentLength, head.Content.Headers.ContentType));
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
        // A ranged HEAD: 206 with the range's length and Content-Range; past the end: 416. Still no body.
        using (var ranged = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, download) { Headers = { Range = new RangeHeaderValue(1000, 1999) } }))
        {
            Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
            Assert.Equal((1000L, 1000L, 1999L, file.Length), (ranged.Content.Headers.ContentLength, ranged.Content.Headers.ContentRange!.From, ranged.Content.Headers.ContentRange.To, ranged.Content.Headers.ContentRange.Length));
            Assert.Empty(await ranged.Content.ReadAsByteArrayAsync());
        }
        using (var past = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, download) { Headers = { Range = new RangeHeaderValue(file.Length + 10, null) } }))
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, past.StatusCode);
        // The .MD5SUM line's length; an unknown name and another controller's token are refused as for GET.
        using (var md5 = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, artifact.Links.Md5Sum!.Href)))
        {
            Assert.Equal(HttpStatusCode.OK, md5.StatusCode);
            Assert.Equal(DdiMd5Sum.Line(file.Md5, file.FileName).Length, md5.Content.Headers.ContentLength);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, download + "x"))).StatusCode);
        using (var stranger = host.Client("atymddi_wrong_token"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.SendAsync(new HttpRequestMessage(HttpMethod.Head, download))).StatusCode);
        Assert.Equal(stored, host.Service<IDdiStore>().FindAction(stored.Id));
    }

    [Fact]
    public async Task A_closed_failure_fails_the_ddi_device_and_halts_the_deployment()
    {
        await using var host = await DdiHost.StartAsync();
        var token = await host.CreateTargetAsync("gw-1", "eu");
        var deployment = await host.DeployAsync(new HaltRequest(Failures: 1), retries: 0);
        var (client, offered, _) = await OfferedAsync(host, "gw-1", token);
        using var _client = client;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Feedback("gw-1", offered.Id), DdiHost.Feedback("closed", "failure", "ERROR : Image invalid or corrupted"))).StatusCode);
        var state = host.Deployment(deployment.Id);
        var device = state.Device("gw-1")!;
        Assert.Equal((DeviceRolloutState.Failed, FailureKind.InstallFailed), (device.State, device.Failure));
        Assert.Contains("Image invalid or corrupted", device.Reason, StringComparison.Ordinal);
        Assert.Equal(DeploymentStatus.Halted, state.Status);
        Assert.Equal(DeviceRolloutState.Withdrawn, state.Device("d00")!.State);
        Assert.Equal(HttpStatusCode.Gone, (await client.PostAsync(Feedback("gw-1", offered.Id), DdiHost.Feedback("closed", "success"))).StatusCode);
        Assert.Null((await DdiHost.PollAsync(client, "gw-1")).Links?.DeploymentBase);
    }

    [Fact]
    public async Task A_cancelled_deployment_withdraws_the_ddi_device_through_cancel_action()
    {
        await using var host = await DdiHost.StartAsync();
        var token = await host.CreateTargetAsync("gw-1", "eu");
        var deployment = await host.DeployAsync();
        var (client, offered, _) = await OfferedAsync(host, "gw-1", token);
        using var _client = client;
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{DdiHost.Base("gw-1")}/cancelAction/{offered.Id}")).StatusCode);
        await host.Service<RolloutService>().CancelAsync(deployment.Id, Admin);

        var polled = await DdiHost.PollAsync(client, "gw-1");
        Assert.Null(polled.Links!.DeploymentBase);
        var cancel = DdiJson.ReadCancel(await client.GetByteArrayAsync(polled.Links.CancelAction!.Href));
        Assert.Equal(new DdiCancel(offered.Id, new DdiCancelActionToStop(offered.Id)), cancel);
        var cancelFeedback = DdiPaths.CancelFeedback(DdiHost.Tenant, "gw-1", offered.Id).TrimStart('/');
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(cancelFeedback, DdiHost.Feedback("rejected", "none", "busy writing"))).StatusCode);
        Assert.NotNull((await DdiHost.PollAsync(client, "gw-1")).Links!.CancelAction); // a rejected cancel stays
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(cancelFeedback, DdiHost.Feedback("canceled", "success"))).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await client.PostAsync(cancelFeedback, DdiHost.Feedback("canceled", "success"))).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await client.PostAsync(Feedback("gw-1", offered.Id), DdiHost.Feedback("closed", "success"))).StatusCode);
        var after = await DdiHost.PollAsync(client, "gw-1");
        Assert.Null(after.Links?.CancelAction);
        Assert.Null(after.Links?.DeploymentBase);
        var action = host.Service<IDdiStore>().FindAction(long.Parse(offered.Id, System.Globalization.CultureInfo.InvariantCulture))!;
        Assert.Equal((DdiActionState.Closed, DdiActionOutcome.Canceled), (action.State, action.Outcome));
        Assert.Equal(DeviceRolloutState.Withdrawn, host.Deployment(deployment.Id).Device("gw-1")!.State);
    }

    [Fact]
    public async Task A_closed_maintenance_window_skips_the_update_and_a_download_waits_for_it()
    {
        await using var host = await DdiHost.StartAsync();
        var token = await host.CreateTargetAsync("gw-1", "eu");
        // The host's clock is Wednesday 10:00 UTC; the window is Sundays 02:00 for 2 h.
        var deployment = await host.Service<RolloutService>().CreateAsync(new DeploymentRequest(host.Host.V2.Id, new DeploymentTargetRequest(["eu"]),
            Windows: [new WindowRequest("eu", ["sun"], "02:00", "2h")]), Admin);
        var (client, offered, _) = await OfferedAsync(host, "gw-1", token);
        using var _client = client;
        Assert.Equal((DdiHandlingType.Attempt, DdiHandlingType.Skip, DdiMaintenanceWindow.Unavailable),
            (offered.Deployment.Download, offered.Deployment.Update, offered.Deployment.MaintenanceWindow));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Feedback("gw-1", offered.Id), DdiHost.Feedback("downloaded", "none"))).StatusCode);
        var device = host.Deployment(deployment.Id).Device("gw-1")!;
        Assert.Equal(DeviceRolloutState.Waiting, device.State);
        Assert.Equal(DayOfWeek.Sunday, device.WaitingUntil!.Value.DayOfWeek);
    }
}
