using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Trust;
using AtymSecure.Formats;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceProtocol;

namespace AtymSecure.DeviceAgent.Tests.Http;

/// <summary>
/// A production device against an OTA server over real loopback HTTP (issue 12 §5): enrol, session, poll with ETag,
/// full verification of what the director and the image repository serve, download, install, trial, confirm, signed
/// reports — and the server down or answering garbage, which the device outlives.
/// </summary>
public sealed class HttpUpdateSourceTests : IAsyncDisposable
{
    private readonly ProductionDevice _device = ProductionDevice.Create();

    public ValueTask DisposeAsync() => _device.DisposeAsync();

    [Fact]
    public async Task The_device_enrols_verifies_downloads_installs_confirms_and_reports_what_it_runs()
    {
        var image = TestBundles.Image("sensor-filter");
        _device.Server.Assign(_device.Release(image));

        await _device.RunUntil(() => _device.Server.Reports.Any(r => r.Containers.Single().Confirmed is { } c && r.Containers.Single().Trial is null
            && c.ImageDigest == AtymSecure.Primitives.Digest.Compute(image).ToString()), "a report of the confirmed image");

        var container = _device.ContainerStatus();
        Assert.Equal(ContainerState.Confirmed, container.State);
        var report = _device.Server.Reports.Last();
        Assert.Equal("production", report.Trust);
        Assert.Equal(TrialReport.Passed, report.Containers.Single().LastTrial?.Verdict);
        Assert.Equal("installed", report.Containers.Single().LastInstall?.Result);
        // Polls carry the last ETag, and an unchanged answer costs a 304.
        Assert.Contains(_device.Server.Requests, r => r.Path.EndsWith("/poll", StringComparison.Ordinal) && r.Header("If-None-Match") is not null);
        // The trust store moved forward and holds the director document the device acted on.
        var stored = new DeviceDirectory(_device.Data);
        using (var opened = LocalDevice.Open(stored.Root)) Assert.True(opened.Trust!.Load().Metadata.DirectorTargets!.Signed.Version >= 1);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_device.Data, "downloads")));
    }

    [Fact]
    public async Task A_server_that_is_down_then_answers_garbage_is_outlived_and_the_device_updates_once_it_recovers()
    {
        var image = TestBundles.Image("sensor-filter");
        _device.Server.Assign(_device.Release(image));
        var hostile = 0;
        _device.Server.Misbehave = async e =>
        {
            var n = Interlocked.Increment(ref hostile);
            if (n > 12) return false;
            if (n % 3 == 0) await e.RespondAsync(200, "{\"formatVersion\":1,\"pollIntervalSeconds\":1.5}"u8.ToArray());
            else if (n % 3 == 1) await e.RespondAsync(500, "oops"u8.ToArray());
            else await e.RawAsync(200, [("Content-Length", "100")], "{\"form"u8.ToArray()); // cut off
            return true;
        };

        await _device.RunUntil(() => _device.Server.Reports.Any(r => r.Containers.Single().Confirmed is not null), "a confirmed install after the hostile phase");

        Assert.True(hostile > 12);
        Assert.Contains(_device.Log.For("device").Select(r => r.Message), m => m.Contains("next try in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_running_container_keeps_running_while_a_poll_and_a_download_hang_on_the_server()
    {
        await _device.RunConfirmed(TestBundles.Image("sensor-filter"));
        var next = _device.Release(ProductionDevice.ImageAt("1.1.0"));
        var pollHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var downloadHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (pollArrived, downloadArrived) = (0, 0);
        _device.Server.Misbehave = async e =>
        {
            if (e.Path.EndsWith("/poll", StringComparison.Ordinal) && Interlocked.Increment(ref pollArrived) == 1) await pollHeld.Task;
            else if (e.Path.StartsWith("/bundles/", StringComparison.Ordinal) && Interlocked.Increment(ref downloadArrived) == 1)
            {
                await e.RawAsync(200, [("Content-Length", next.Bundle.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))], next.Bundle[..1000]);
                await downloadHeld.Task; // the rest never comes until the test lets it: the device is mid-download
                return true;
            }
            return false; // then answered as usual
        };
        int Published() => _device.Log.For("sensor-filter").Count(r => r.Source == "bus" && r.Message.StartsWith("telemetry/temp {", StringComparison.Ordinal));
        await using var run = _device.PowerOn(traceTopics: "#");

        await run.Until(() => Volatile.Read(ref pollArrived) >= 1 && Published() > 0, "the running container's first publication while the poll hangs");
        var duringPoll = Published();
        await run.Until(() => Published() >= duringPoll + 3, "three more publications while the poll hangs");
        _device.Server.Assign(next);
        pollHeld.SetResult();
        await run.Until(() => Volatile.Read(ref downloadArrived) >= 1, "the download to start");
        var duringDownload = Published();
        await run.Until(() => Published() >= duringDownload + 3, "three more publications while the download hangs");
        Assert.Equal(ContainerState.Confirmed, _device.ContainerStatus().State);
        downloadHeld.SetResult();
        await run.Until(() => _device.ReportsConfirmed(ProductionDevice.ImageAt("1.1.0")), "1.1.0 confirmed after the download resumed");
    }

    [Fact]
    public async Task A_download_cut_off_mid_bundle_is_resumed_with_Range_on_the_next_tick_and_installed()
    {
        var assignment = _device.Release(TestBundles.Image("sensor-filter"));
        _device.Server.Assign(assignment);
        var cut = 0;
        _device.Server.Misbehave = async e =>
        {
            if (!e.Path.StartsWith("/bundles/", StringComparison.Ordinal) || Interlocked.Increment(ref cut) > 1) return false;
            await e.RawAsync(200, [("Content-Length", assignment.Bundle.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))], assignment.Bundle[..1000]);
            return true;
        };

        await _device.RunUntil(() => _device.Server.Reports.Any(r => r.Containers.Single().Confirmed is not null), "a confirmed install");

        var bundleRequests = _device.Server.Requests.Where(r => r.Path.StartsWith("/bundles/", StringComparison.Ordinal)).ToList();
        // The unfinished chunk at the cut is fetched again: the resume starts at the last chunk boundary before byte 1000.
        var envelope = BundleEnvelope.Read(new MemoryStream(assignment.Bundle));
        Assert.InRange(envelope.PayloadOffset, 1, 1000);
        var boundary = envelope.ChunkOffset((int)((1000 - envelope.PayloadOffset) / envelope.Header.ChunkSize));
        Assert.Equal(["(whole file)", $"bytes={boundary}-"], bundleRequests.Select(r => r.Header("Range") ?? "(whole file)").ToArray());
        Assert.Contains(_device.Server.Reports, r => r.LastRefusal?.Code == ReasonCodes.DownloadFailed);
    }

    [Fact]
    public async Task A_chunk_damaged_on_the_way_is_fetched_again_after_the_retry_interval_from_the_last_good_chunk_and_installed()
    {
        var assignment = _device.Release(TestBundles.Image("sensor-filter"));
        _device.Server.Assign(assignment);
        var envelope = BundleEnvelope.Read(new MemoryStream(assignment.Bundle));
        Assert.True(envelope.Header.ChunkCount >= 2, "the sample bundle has a chunk after the damaged one");
        var damaged = (byte[])assignment.Bundle.Clone();
        damaged[envelope.ChunkOffset(1)] ^= 0x01;
        var served = 0;
        // The first two transfers flip one bit of chunk 1 (a corrupting proxy). The first refusal is reported, and the
        // report's new nonce re-signs the director document, which alone would retry; the second, the same refusal, is
        // not reported again, so nothing re-signs: only the device's own retry gets it past the fault.
        _device.Server.Misbehave = async e =>
        {
            if (!e.Path.StartsWith("/bundles/", StringComparison.Ordinal) || Interlocked.Increment(ref served) > 2) return false;
            var from = e.Header("Range") is { } range ? long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture) : 0;
            var body = damaged[(int)from..];
            var length = ("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (from == 0) await e.RawAsync(200, [length], body);
            else await e.RawAsync(206, [length, ("Content-Range", $"bytes {from}-{damaged.Length - 1}/{damaged.Length}")], body);
            return true;
        };

        await _device.RunUntil(() => _device.Server.Reports.Any(r => r.Containers.Single().Confirmed is not null), "a confirmed install");

        var bundleRequests = _device.Server.Requests.Where(r => r.Path.StartsWith("/bundles/", StringComparison.Ordinal)).ToList();
        var resume = $"bytes={envelope.ChunkOffset(1)}-";
        Assert.Equal(["(whole file)", resume, resume], bundleRequests.Select(r => r.Header("Range") ?? "(whole file)").ToArray());
        Assert.Contains(_device.Server.Reports, r => r.LastRefusal?.Code == ReasonCodes.ChunkMismatch);
    }

    [Fact]
    public async Task A_refused_bundle_is_not_downloaded_again_when_the_director_names_it_again()
    {
        var assignment = _device.Release(TestBundles.Image("sensor-filter"), headerVersion: "9.9.9");
        _device.Server.Assign(assignment);

        // Every report re-signs the director document (a new nonce) naming the same bundle.
        await _device.RunUntil(() => _device.Server.Reports.Count(r => r.Containers.Single().LastInstall?.Code == ReasonCodes.TargetMismatch) >= 1
            && _device.Server.Requests.Count(r => r.Path.EndsWith("/poll", StringComparison.Ordinal)) >= 8, "eight polls after the refusal");

        Assert.Single(_device.Server.Requests, r => r.Path.StartsWith("/bundles/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pending_enrolment_is_retried_after_the_servers_delay_and_an_enrolled_device_does_not_enrol_again()
    {
        _device.Server.Assign(_device.Release(TestBundles.Image("sensor-filter")));
        var pending = 0;
        _device.Server.Misbehave = async e =>
        {
            if (e.Path != Formats.DeviceProtocol.DeviceProtocolPaths.Enroll || Interlocked.Increment(ref pending) > 2) return false;
            await e.RespondAsync(202, new Formats.DeviceProtocol.EnrollmentAnswer(_device.World.DeviceId, Formats.DeviceProtocol.EnrollmentStatus.Pending, 1).ToJson());
            return true;
        };
        var options = ProductionDevice.Fast with { EnrollmentToken = "fleet-token-0123456789" };

        await _device.RunUntil(() => _device.Server.Reports.Any(r => r.Containers.Single().Confirmed is not null), "a confirmed install", options);
        var enrolments = _device.Server.Requests.Where(r => r.Path == Formats.DeviceProtocol.DeviceProtocolPaths.Enroll).ToList();
        Assert.Equal(3, enrolments.Count);
        Assert.Equal("fleet-token-0123456789", Formats.DeviceProtocol.EnrollmentRequest.Parse(enrolments[^1].Body).EnrollmentToken);

        var reports = _device.Server.Reports.Count;
        await _device.RunUntil(() => _device.Server.Reports.Count > reports, "a report from the second power-on", options);
        Assert.Equal(3, _device.Server.Requests.Count(r => r.Path == Formats.DeviceProtocol.DeviceProtocolPaths.Enroll));
    }

    [Theory]
    [InlineData("containerVersion")]
    [InlineData("securityCounter")]
    public async Task A_compiler_signed_bundle_whose_header_differs_from_the_metadata_is_refused_at_step_12(string field)
    {
        // Listed and named correctly, but the bundle the director names says another version (or claims a far higher
        // counter, which would raise the device's floor) in its signed header.
        var assignment = _device.Release(TestBundles.Image("sensor-filter"), headerEdit: field == "containerVersion"
            ? h => h with { ContainerVersion = "9.9.9" }
            : h => h with { SecurityCounter = h.SecurityCounter + 1000 });
        _device.Server.Assign(assignment);

        await _device.RunUntil(() => _device.Server.Reports.Any(r => r.Containers.Single().LastInstall?.Code == ReasonCodes.TargetMismatch),
            "a report of the install refused with target-mismatch");

        var install = _device.Server.Reports.Last(r => r.Containers.Single().LastInstall is not null).Containers.Single().LastInstall!;
        Assert.Equal("refused", install.Result);
        Assert.Contains(field, install.Detail, StringComparison.Ordinal);
        Assert.Equal(ContainerState.Empty, _device.ContainerStatus().State);
        Assert.All(_device.ContainerStatus().Slots, s => Assert.Null(s.Version));
    }

    [Fact]
    public async Task A_damaged_trust_store_keeps_the_device_polling_and_reporting_recovery_state()
    {
        _device.Server.Assign(_device.Release(TestBundles.Image("sensor-filter")));
        File.WriteAllText(Path.Combine(TrustStore.TrustDirectory(new DeviceDirectory(_device.Data)), "state"), "garbage\n" + new string('0', 64));

        await _device.RunUntil(() => _device.ReportRefusing(ReasonCodes.RecoveryState) is not null, "a report of recovery-state");

        AssertNothingWritten(0);
    }

    /// <summary>The refusal came from <paramref name="step"/>, and no slot holds anything: the bootloader never wrote.</summary>
    private void AssertNothingWritten(int step)
    {
        var refusal = _device.Server.Reports.Last(r => r.LastRefusal is not null).LastRefusal!;
        Assert.Equal(step, refusal.Step);
        var container = _device.ContainerStatus();
        Assert.Equal(ContainerState.Empty, container.State);
        Assert.All(container.Slots, s => Assert.Null(s.Version));
        Assert.DoesNotContain(_device.Server.Reports, r => r.Containers.Single().LastInstall is not null);
    }
}
