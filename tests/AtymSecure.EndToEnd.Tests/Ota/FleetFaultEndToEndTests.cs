using System.Text.Json;
using AtymSecure.Formats.Bundle;
using AtymSecure.TestSupport;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// Issue 12 §6 faults, through real processes (<see cref="OtaStack"/>): <c>kill -9</c> of the OTA server during a
/// release import, during a bundle cut and during a device's download, and of the device during its download; the
/// registry process down while a release imports. Each kill happens at a point the test proves was reached — a
/// <see cref="ForwardingProxy"/> hold stops the import's or the cut's registry request, or a bundle response after
/// its first bytes — never after a sleep. After each restart on the same folder nothing committed is lost and the
/// work finishes; a resumed download asks for the rest with <c>Range</c> from the last complete chunk it holds, as the
/// proxy in front of the server sees.
/// </summary>
[Trait("Requires", "process")]
[Collection(OtaStackCollection.Name)]
public sealed class FleetFaultEndToEndTests(OtaStack stack)
{
    private const string Container = OtaStack.Container;
    private const long FirstBytes = 16 * 1024;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private static bool IsBundle(ProxiedRequest r) => r.Method == "GET" && r.Path.StartsWith("/bundles/sha256/", StringComparison.Ordinal);

    [Fact]
    public async Task A_download_cut_by_a_device_kill_and_then_by_a_server_kill_resumes_with_range_and_the_update_finishes()
    {
        await using var device = await stack.ProvisionDeviceAsync("download-kills");
        var seenBefore = stack.DeviceProxy.Requests.Count;
        var first = stack.DeviceProxy.HoldResponseAfter(IsBundle, FirstBytes);
        device.Start();
        await device.WaitForLogAsync("enrolled with");
        await stack.Operator("ota", "assign", await stack.ReleaseAsync("1.0.0"), "--device", device.Id);

        // The device has the first 16 KiB in its partial file: power cut.
        var bundle = await first.Reached.WaitAsync(Deadline);
        var partial = Path.Combine(device.Data, "downloads", bundle.Path["/bundles/sha256/".Length..] + ".partial");
        await Wait.UntilAsync(() => File.Exists(partial) && new FileInfo(partial).Length == FirstBytes, "the device to write the first 16 KiB", Deadline);
        await device.KillAsync();
        first.Drop();
        // The unfinished chunk at the cut is not trusted: a resume starts at the chunk boundary before it.
        BundleEnvelope envelope;
        await using (var head = File.OpenRead(partial)) envelope = BundleEnvelope.Read(head);
        long BoundaryAtOrBefore(long offset) => envelope.ChunkOffset((int)((offset - envelope.PayloadOffset) / envelope.Header.ChunkSize));
        var firstResume = BoundaryAtOrBefore(FirstBytes);

        // Powered on again, it asks for the rest; 16 KiB further the server is killed mid-answer and restarted.
        var resumed = stack.DeviceProxy.HoldResponseAfter(r => IsBundle(r) && r.Path == bundle.Path, FirstBytes);
        device.Start();
        Assert.Equal($"bytes={firstResume}-", (await resumed.Reached.WaitAsync(Deadline)).Range);
        await Wait.UntilAsync(() => new FileInfo(partial).Length == firstResume + FirstBytes, "the resumed download to write 16 KiB more", Deadline);
        await stack.Server.KillAsync();
        await stack.Server.StartAsync();
        resumed.Drop(); // the connection the killed server was answering on is gone

        await device.WaitForLogAsync("trial of 1.0.0 passed: confirmed");
        await device.WaitForConfirmedAsync(Container, "1.0.0");
        var requests = stack.DeviceProxy.Requests.Skip(seenBefore).Where(r => r.Path == bundle.Path).ToList();
        Assert.Null(requests[0].Range);
        Assert.Equal($"bytes={firstResume}-", requests[1].Range);
        // After the server came back the device resumed again from what it had, never from the start.
        Assert.All(requests.Skip(2), r => Assert.Equal($"bytes={BoundaryAtOrBefore(firstResume + FirstBytes)}-", r.Range));
        Assert.True(requests.Count >= 3, string.Join("\n", requests));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public async Task A_release_import_cut_off_by_a_server_kill_resumes_after_the_restart_and_succeeds()
    {
        var version = OtaStack.FaultVersions[0];
        var import = stack.RegistryProxy.HoldRequest(r => r.Path.EndsWith("/manifests/" + version, StringComparison.Ordinal));
        var job = await stack.QueueReleaseAsync(version);
        await import.Reached.WaitAsync(Deadline);
        Assert.Equal("running", (await stack.JobAsync(job)).GetProperty("state").GetString());

        await stack.Server.KillAsync();
        import.Release();
        await stack.Server.StartAsync();

        var finished = await stack.FinishedJobAsync(job, version);
        Assert.True(finished.GetProperty("state").GetString() == "succeeded", finished.ToString());
        Assert.True(finished.GetProperty("attempts").GetInt32() >= 2, $"the restart should have run the job again: {finished}");
        var release = JsonDocument.Parse(await stack.Operator("ota", "release", stack.Reference(version), "--device-class", OtaStack.DeviceClass, "--json")).RootElement;
        Assert.Equal((finished.GetProperty("resultId").GetString(), version), (release.GetProperty("id").GetString(), release.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task A_bundle_cut_cut_off_by_a_server_kill_is_cut_again_after_the_restart_and_the_device_installs_it()
    {
        var version = OtaStack.FaultVersions[1];
        var release = await stack.ReleaseAsync(version);
        await using var device = await stack.ProvisionDeviceAsync("cut-kill");
        device.Start();
        await device.WaitForLogAsync("enrolled with");

        // Every registry request from here is the cut's (the import is done): stop the first, then kill the server.
        var cut = stack.RegistryProxy.HoldRequest(r => r.Path.StartsWith("/v2/samples/", StringComparison.Ordinal));
        await stack.Operator("ota", "assign", release, "--device", device.Id);
        await cut.Reached.WaitAsync(Deadline);
        await stack.Server.KillAsync();
        cut.Release();
        await stack.Server.StartAsync();

        await device.WaitForLogAsync($"trial of {version} passed: confirmed");
        await device.WaitForConfirmedAsync(Container, version);
        // The cut the restarted server made is in its cut index, next to the bundle it names.
        var index = Directory.GetFiles(Path.Combine(stack.Server.DataDirectory, "bundles", "cuts"), "*.json")
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement).ToList();
        Assert.Contains(index, e => File.Exists(Path.Combine(stack.Server.DataDirectory, "bundles", "sha256", e.GetProperty("sha256").GetString() + ".bundle"))
            && device.Log.Contains($"({e.GetProperty("length").GetInt64()} bytes, verified)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_release_imported_while_the_registry_is_down_says_so_in_its_job_and_succeeds_once_the_registry_is_back()
    {
        var version = OtaStack.FaultVersions[2];
        await stack.Registry.KillAsync();
        string job;
        JsonElement failing = default;
        try
        {
            job = await stack.QueueReleaseAsync(version);
            await Wait.UntilAsync(async () => (failing = await stack.JobAsync(job)).TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object,
                "the job to record the registry's failure", Deadline, TimeSpan.FromMilliseconds(250));
        }
        finally
        {
            await stack.Registry.StartAsync();
        }
        var error = failing.GetProperty("error");
        Assert.Equal(("registry-unavailable", true), (error.GetProperty("code").GetString(), error.GetProperty("transient").GetBoolean()));
        Assert.Contains("the registry is unavailable", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("queued", failing.GetProperty("state").GetString());

        var finished = await stack.FinishedJobAsync(job, version);
        Assert.True(finished.GetProperty("state").GetString() == "succeeded", finished.ToString());
        Assert.True(finished.GetProperty("attempts").GetInt32() >= 2, finished.ToString());
    }
}
