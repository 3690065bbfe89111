using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.Formats;
using AtymSecure.TestSupport;

namespace AtymSecure.DeviceAgent.Tests.Updates;

/// <summary>
/// A running production device takes an offline export dropped into its inbox as one tar (what an SWUpdate gateway's
/// rawfile handler writes): verified exactly as <c>install --metadata</c> (full Uptane order, trust store updated), or
/// refused with nothing written to a slot.
/// </summary>
public sealed class InboxOfflineExportTests : IAsyncDisposable
{
    private readonly ProductionDevice _device = ProductionDevice.Create();
    private readonly TempFolder _temp = TempFolder.Create("inbox-export");

    public async ValueTask DisposeAsync()
    {
        await _device.DisposeAsync();
        _temp.Dispose();
    }

    private async Task<DeviceStatus> RunWithInbox(string tar, Func<DeviceStatus, bool> until, string what)
    {
        // Queued before power-on, as after a gateway reboot: the first poll of the inbox finds it.
        new DeviceInbox(new DeviceDirectory(_device.Data)).Enqueue(tar);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => DeviceRunner.PowerOn(_device.Data, new LocalDeviceOptions { Clock = _device.Clock },
            new DeviceRunOptions { PollInterval = TimeSpan.FromMilliseconds(100) }, _device.Log, stop.Token));
        try
        {
            await Wait.UntilAsync(() => run.IsCompleted || until(DeviceStatus.Load(new DeviceDirectory(_device.Data), out _)), what, TimeSpan.FromSeconds(60));
        }
        finally
        {
            stop.Cancel();
        }
        return await run;
    }

    [Fact]
    public async Task An_export_in_the_inbox_is_verified_installed_and_confirmed_and_the_trust_store_moves_on()
    {
        var image = TestBundles.Image("sensor-filter");
        var tar = OfflineExports.WriteTar(_device, _temp.File("export.tar"), 5, [_device.Release(image)]);
        var version = _device.ReleaseOf(image).Version;

        var status = await RunWithInbox(tar, s => s.Containers.Any(c => c.State == Bootloader.State.ContainerState.Confirmed && c.VersionIn(c.ConfirmedSlot) == version),
            "the exported image confirmed");

        Assert.Contains(status.Installs, i => i.Result == InstallResult.Installed && i.Container == ProductionDevice.Container);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_device.Data, "inbox")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_device.Data, "downloads")));
        using var opened = LocalDevice.Open(_device.Data);
        Assert.Equal(5, opened.Trust!.Load().OfflineDirectorVersion);
    }

    [Theory]
    [InlineData("director/targets.json", ReasonCodes.ThresholdNotMet)]
    [InlineData("bundles/", ReasonCodes.TargetMismatch)]
    public async Task An_export_with_tampered_metadata_or_bundle_is_refused_and_nothing_is_installed(string tamperedPrefix, string code)
    {
        var image = TestBundles.Image("sensor-filter");
        var tar = OfflineExports.WriteTar(_device, _temp.File("tampered.tar"), 5, [_device.Release(image)],
            (path, bytes) => path.StartsWith(tamperedPrefix, StringComparison.Ordinal) ? Tamper(bytes) : bytes);

        var status = await RunWithInbox(tar, s => s.Installs.Any(i => i.Result != InstallResult.Installed), "a refusal");

        var refusal = Assert.Single(status.Installs);
        Assert.Equal(InstallResult.Refused, refusal.Result);
        Assert.StartsWith(code + ":", refusal.Detail);
        Assert.All(status.Containers, c => Assert.All(c.Slots, slot => Assert.Null(slot.Version)));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_device.Data, "inbox")));
    }

    [Fact]
    public async Task A_tar_that_is_not_an_export_is_refused_as_export_malformed()
    {
        var tar = _temp.Write("not-an-export.tar", "this is not a tar archive at all, just text"u8.ToArray());
        var status = await RunWithInbox(tar, s => s.Installs.Count > 0, "a refusal");
        var refusal = Assert.Single(status.Installs);
        Assert.Equal(InstallResult.Refused, refusal.Result);
        Assert.StartsWith(ReasonCodes.ExportMalformed + ":", refusal.Detail);
    }

    /// <summary>
    /// What an SWUpdate gateway's post-install script does (<c>atym device await-install</c>): the export is queued, the
    /// running device takes it, and <see cref="InstallAwaiter"/> waits on the agent's own records for its verdict.
    /// </summary>
    private async Task<InstallVerdict> VerdictOf(string tar)
    {
        var name = Path.GetFileName(new DeviceInbox(new DeviceDirectory(_device.Data)).Enqueue(tar));
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => DeviceRunner.PowerOn(_device.Data, new LocalDeviceOptions { Clock = _device.Clock },
            new DeviceRunOptions { PollInterval = TimeSpan.FromMilliseconds(100) }, _device.Log, stop.Token));
        try
        {
            return await InstallAwaiter.WaitAsync(_device.Data, name, TimeSpan.FromSeconds(60), pollInterval: TimeSpan.FromMilliseconds(50));
        }
        finally
        {
            stop.Cancel();
            await run;
        }
    }

    [Fact]
    public async Task Await_install_returns_confirmed_once_the_exported_image_passed_its_trial()
    {
        var image = TestBundles.Image("sensor-filter");
        var tar = OfflineExports.WriteTar(_device, _temp.File("export.tar"), 5, [_device.Release(image)]);
        var version = _device.ReleaseOf(image).Version;

        var verdict = await VerdictOf(tar);

        Assert.True(verdict.Kind == InstallVerdictKind.Confirmed, verdict.Reason);
        Assert.Contains($"confirmed {ProductionDevice.Container} {version}", verdict.Reason, StringComparison.Ordinal);
        var install = Assert.Single(verdict.Installs);
        Assert.EndsWith("-export.tar)", install.Bundle, StringComparison.Ordinal);
        Assert.Contains(DeviceStatus.Load(new DeviceDirectory(_device.Data), out _).Containers,
            c => c.State == Bootloader.State.ContainerState.Confirmed && c.VersionIn(c.ConfirmedSlot) == version);
    }

    [Fact]
    public async Task Await_install_returns_the_agents_refusal_reason_for_a_tampered_export()
    {
        var image = TestBundles.Image("sensor-filter");
        var tar = OfflineExports.WriteTar(_device, _temp.File("tampered.tar"), 5, [_device.Release(image)],
            (path, bytes) => path.StartsWith("director/targets.json", StringComparison.Ordinal) ? Tamper(bytes) : bytes);

        var verdict = await VerdictOf(tar);

        Assert.Equal(InstallVerdictKind.Refused, verdict.Kind);
        Assert.StartsWith(ReasonCodes.ThresholdNotMet + ":", verdict.Reason);
        var line = Assert.Single(verdict.Installs);
        Assert.StartsWith("offline export ", line.Bundle, StringComparison.Ordinal);
        Assert.EndsWith("-tampered.tar", line.Bundle, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Await_install_judges_a_second_drop_under_the_same_name_by_its_own_lines()
    {
        // An SWUpdate gateway's rawfile handler writes NAME.tar.tmp and renames it; the same .swu installed again (a retried
        // action is served the one cut for it) drops under the same name. The first drop is refused, and the second drop's
        // verdict is its own, not that refusal.
        const string dropped = "20261205T060000-atym-export-0123456789ab.tar";
        var image = TestBundles.Image("sensor-filter");
        var tampered = OfflineExports.WriteTar(_device, _temp.File("tampered.tar"), 5, [_device.Release(image)],
            (path, bytes) => path.StartsWith("director/targets.json", StringComparison.Ordinal) ? Tamper(bytes) : bytes);
        var good = OfflineExports.WriteTar(_device, _temp.File("export.tar"), 5, [_device.Release(image)]);
        var inbox = new DeviceDirectory(_device.Data).InboxDirectory;
        Directory.CreateDirectory(inbox);
        void Drop(string tar)
        {
            File.Copy(tar, Path.Combine(inbox, dropped + ".tmp"));
            File.Move(Path.Combine(inbox, dropped + ".tmp"), Path.Combine(inbox, dropped));
        }

        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => DeviceRunner.PowerOn(_device.Data, new LocalDeviceOptions { Clock = _device.Clock },
            new DeviceRunOptions { PollInterval = TimeSpan.FromMilliseconds(100) }, _device.Log, stop.Token));
        try
        {
            Drop(tampered);
            var first = await InstallAwaiter.WaitAsync(_device.Data, dropped, TimeSpan.FromSeconds(60), pollInterval: TimeSpan.FromMilliseconds(50));
            Drop(good);
            var second = await InstallAwaiter.WaitAsync(_device.Data, dropped, TimeSpan.FromSeconds(60), pollInterval: TimeSpan.FromMilliseconds(50));

            Assert.Equal(InstallVerdictKind.Refused, first.Kind);
            Assert.StartsWith(ReasonCodes.ThresholdNotMet + ":", first.Reason);
            Assert.True(second.Kind == InstallVerdictKind.Confirmed, second.Reason);
            // Each verdict stands on its own take's lines: one number per drop, the second above the first.
            var firstTake = Assert.Single(first.Installs.Select(i => i.Take).Distinct());
            var secondTake = Assert.Single(second.Installs.Select(i => i.Take).Distinct());
            Assert.True(secondTake > firstTake, $"take {secondTake} after take {firstTake}");
            Assert.All(second.Installs, i => Assert.Equal(InstallResult.Installed, i.Result));
        }
        finally
        {
            stop.Cancel();
            await run;
        }
    }

    /// <summary>
    /// A JSON document: one hex digit of its (first) signature changed, so it parses but no longer verifies. A bundle: one
    /// byte of its payload changed.
    /// </summary>
    private static byte[] Tamper(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        var sig = copy.AsSpan().IndexOf("\"sig\":\""u8);
        var at = sig >= 0 ? sig + 7 : copy.Length - 10;
        copy[at] = (byte)(copy[at] == (byte)'0' ? '1' : '0');
        return copy;
    }
}
