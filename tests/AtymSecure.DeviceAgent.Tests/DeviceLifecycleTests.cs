using AtymSecure.Bootloader.Layout;
using AtymSecure.Runtime;
using AtymSecure.Formats.Container;
using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.Runtime.Health;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Budgets;
using AtymSecure.DeviceAgent.Provisioning;

namespace AtymSecure.DeviceAgent.Tests;

/// <summary>
/// A provisioned device driven through install → run → trial → confirm or revert, against the real
/// bootloader on a file-backed flash (real time: each trial takes its K probe intervals).
/// </summary>
public sealed class DeviceLifecycleTests : IDisposable
{
    private readonly DeviceFixture _device = new("sensor-filter", "anomaly-detector");

    public void Dispose() => _device.Dispose();

    private string Bundle(string sample, IEnumerable<string>? grants = null) => _device.Bundles.Full(TestBundles.Image(sample, grants));

    private static void Installed(InstallStatus install) =>
        Assert.True(install.Result == InstallResult.Installed, $"install of {install.Bundle}: {install.Result}: {install.Detail}");

    [Fact]
    public void First_installs_pass_their_trials_and_are_confirmed_then_a_bad_update_is_reverted()
    {
        Installed(_device.Install(Bundle("sensor-filter")));
        Installed(_device.Install(Bundle("anomaly-detector")));
        Assert.Equal(ContainerState.Pending, _device.Container("sensor-filter").State);

        var first = _device.Run();
        Assert.All(first.Containers, c => Assert.Equal(ContainerState.Confirmed, c.State));
        Assert.Equal([TrialVerdict.Passed, TrialVerdict.Passed], first.Trials.Select(t => t.Verdict).ToArray());
        // Both ran with their grants: the filter read its sensor and published on its topic; the detector
        // loaded its model blob (it logs an error and never alerts without it) and logged no error.
        Assert.Contains(_device.Log.For("sensor-filter"), r => r.Source == "bus" && r.Message.StartsWith("telemetry/temp {", StringComparison.Ordinal));
        Assert.DoesNotContain(_device.Log.For("anomaly-detector"), r => r.Level >= LogLevel.Error);

        Installed(_device.Install(Bundle("sensor-filter-bad")));
        var second = _device.Run();
        var trial = second.Trials[^1];
        Assert.Equal(("sensor-filter", "1.2.0", TrialVerdict.Failed, "1.0.0"), (trial.Container, trial.Version, trial.Verdict, trial.RunningVersion));
        Assert.Contains("probe", trial.Reason, StringComparison.Ordinal);
        var sf = _device.Container("sensor-filter");
        Assert.Equal(ContainerState.Reverted, sf.State);
        Assert.Equal("1.0.0", sf.VersionIn(sf.ConfirmedSlot));
    }

    [Fact]
    public void A_deployment_that_grants_less_fails_its_trial_naming_the_missing_permission()
    {
        // The detector asks for blob:model; the signed deployment leaves it out, so its blob import is never linked.
        var restricted = Bundle("anomaly-detector", ["log", "sensor:vib0", "sensor:temp0", "publish:alerts/anomaly"]);
        Installed(_device.Install(restricted));
        var status = _device.Run();
        var trial = Assert.Single(status.Trials);
        Assert.Equal(TrialVerdict.Failed, trial.Verdict);
        Assert.Contains("blob", trial.Reason, StringComparison.Ordinal);
        Assert.Null(trial.RunningVersion);
        Assert.Equal(ContainerState.Failed, _device.Container("anomaly-detector").State);
    }

    [Fact]
    public void A_power_cut_during_a_trial_uses_an_attempt_and_the_next_power_on_finishes_it()
    {
        Installed(_device.Install(Bundle("sensor-filter")));
        _device.Run();
        Installed(_device.Install(Bundle("sensor-filter-v1.1.0")));

        var cut = _device.Run(cancelAfter: TimeSpan.FromMilliseconds(1500));
        Assert.DoesNotContain(cut.Trials, t => t.Version == "1.1.0");
        var mid = _device.Container("sensor-filter");
        Assert.Equal(ContainerState.TrialBooted, mid.State);
        Assert.Equal(2, mid.AttemptsLeft);

        var after = _device.Run();
        var trial = after.Trials[^1];
        Assert.Equal(("1.1.0", TrialVerdict.Passed), (trial.Version, trial.Verdict));
        var sf = _device.Container("sensor-filter");
        Assert.Equal(ContainerState.Confirmed, sf.State);
        Assert.Equal("1.1.0", sf.VersionIn(sf.ConfirmedSlot));
    }

    [Fact]
    public void Bundles_the_device_must_not_install_are_refused_and_change_nothing()
    {
        using var stranger = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var image = TestBundles.Image("sensor-filter");
        var untrusted = _device.Install(_device.Bundles.Full(image, signer: stranger));
        Assert.Equal(InstallResult.Refused, untrusted.Result);
        Assert.Contains("signature", untrusted.Detail, StringComparison.OrdinalIgnoreCase);

        var otherClass = _device.Install(_device.Bundles.Full(image, deviceClass: "portable-pulley64"));
        Assert.Equal(InstallResult.Refused, otherClass.Result);
        Assert.Contains("portable-pulley64", otherClass.Detail, StringComparison.Ordinal);

        var bare = _device.Install(_device.Bundles.Full(image, format: Formats.Bundle.ImageFormat.RawArtifact));
        Assert.Equal(InstallResult.Refused, bare.Result);
        Assert.Contains("container images", bare.Detail, StringComparison.Ordinal);

        var garbage = Path.Combine(_device.Root, "garbage.bundle");
        File.WriteAllBytes(garbage, new byte[300]);
        Assert.Equal(InstallResult.Refused, _device.Install(garbage).Result);

        Assert.Equal(ContainerState.Empty, _device.Container("sensor-filter").State);
        Assert.Equal(4, _device.Status().Installs.Count);
    }

    [Fact]
    public async Task A_bundle_queued_while_the_device_runs_is_installed_and_trialled_while_the_other_container_keeps_running()
    {
        Installed(_device.Install(Bundle("sensor-filter")));
        Installed(_device.Install(Bundle("anomaly-detector")));
        _device.Run();

        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => DeviceRunner.PowerOn(_device.Data, null, new DeviceRunOptions { TraceTopics = "#" }, _device.Log, stop.Token));
        // status.json as another process sees it (a status query would open the device itself while it is still stopped).
        DeviceStatus Live() => DeviceStatus.Load(new DeviceDirectory(_device.Data), out _);
        Wait.Until(() => Live().Running is not null, "the device to run");
        // `atym device install` finds the device busy and queues the bundle.
        var queued = Assert.IsType<InstallAttempt.Queued>(BundleFileInstaller.InstallOrQueue(_device.Data, Bundle("sensor-filter-bad")));
        Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), queued.DevicePid);
        Wait.Until(() => Live().Trials.Any(t => t.Version == "1.2.0"), "the queued version's trial to be decided", seconds: 60);
        var detectorRestarts = Live().Containers.Single(c => c.Name == "anomaly-detector").Runtime?.Restarts;
        stop.Cancel();
        var final = await running;

        Assert.Empty(new DeviceInbox(new DeviceDirectory(_device.Data)).Ready());
        Assert.False(File.Exists(queued.QueuedFile));
        Assert.Equal(TrialVerdict.Failed, final.Trials[^1].Verdict);
        Assert.Equal(InstallResult.Installed, final.Installs[^1].Result);
        Assert.Equal(0, detectorRestarts);
        Assert.Contains(_device.Log.For("sensor-filter"), r => r.Message.Contains("trial of 1.2.0 failed: reverted; running 1.0.0", StringComparison.Ordinal));
    }

    [Fact]
    public void A_signed_bundle_whose_header_disagrees_with_its_image_is_rejected_before_it_runs()
    {
        Installed(_device.Install(Bundle("sensor-filter")));
        _device.Run();
        // Validly signed, digest-correct, but the header calls the 1.1.0 image "1.5.0".
        var lying = _device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter-v1.1.0"), headerVersion: "1.5.0"));
        Assert.Equal(InstallResult.Refused, lying.Result);
        Assert.Contains("ContainerVersion '1.5.0'", lying.Detail, StringComparison.Ordinal);
        var sf = _device.Container("sensor-filter");
        Assert.Equal((ContainerState.Reverted, Bootloader.Layout.SlotId.None), (sf.State, sf.TrialSlot));
        Assert.Equal("1.0.0", sf.VersionIn(sf.ConfirmedSlot));
    }

    [Fact]
    public void A_container_that_needs_a_newer_runtime_is_refused_at_install_and_the_confirmed_version_keeps_running()
    {
        Installed(_device.Install(Bundle("sensor-filter")));
        _device.Run();
        var newer = SemanticVersion.Release(RuntimeVersion.Current.Major + 1, 0, 0);
        var needsNewer = _device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter-v1.1.0", edit: c => c with { MinRuntimeVersion = newer })));
        Assert.Equal(InstallResult.Refused, needsNewer.Result);
        Assert.Contains($"runtime-too-old: 'sensor-filter' 1.1.0 needs runtime {newer} or newer; this device runs {RuntimeVersion.Current}", needsNewer.Detail, StringComparison.Ordinal);
        var sf = _device.Container("sensor-filter");
        Assert.Equal(SlotId.None, sf.TrialSlot);
        Assert.Equal("1.0.0", sf.VersionIn(sf.ConfirmedSlot));

        // Exactly the runtime's own version is enough.
        Installed(_device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter-v1.1.0", edit: c => c with { MinRuntimeVersion = RuntimeVersion.Current }))));
    }

    [Fact]
    public void A_container_asking_for_4_GiB_is_refused_at_install_and_one_that_fits_only_alone_is_refused_beside_the_confirmed_ones()
    {
        Installed(_device.Install(Bundle("sensor-filter")));
        _device.Run();
        const long FourGiB = 4L * 1024 * 1024 * 1024;
        // This host's Linux class runs each container in its own process: each pays that overhead (ProcessModeMemoryBudgetTests).
        const long Overhead = ContainerMemoryOverhead.ProcessBytes;
        var huge = _device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter-v1.1.0",
            edit: c => c with { Resources = c.Resources with { MaxMemoryBytes = FourGiB } })));
        Assert.Equal(InstallResult.Refused, huge.Result);
        Assert.Contains($"memory-budget-exceeded: 'sensor-filter' 1.1.0 needs {FourGiB} bytes of memory plus {Overhead} overhead (process mode); " +
            $"this device's container budget is {DeviceProfile.DefaultContainerMemoryBudgetBytes} bytes, of which the confirmed containers take 0", huge.Detail, StringComparison.Ordinal);
        var sf = _device.Container("sensor-filter");
        Assert.Equal(SlotId.None, sf.TrialSlot);
        Assert.Equal("1.0.0", sf.VersionIn(sf.ConfirmedSlot));

        // The detector alone would fit the budget, but not beside the confirmed filter (131072 bytes + overhead).
        var filterNeeds = 131072 + Overhead;
        var alone = DeviceProfile.DefaultContainerMemoryBudgetBytes - Overhead;
        var beside = _device.Install(_device.Bundles.Full(TestBundles.Image("anomaly-detector",
            edit: c => c with { Resources = c.Resources with { MaxMemoryBytes = alone } })));
        Assert.Equal(InstallResult.Refused, beside.Result);
        Assert.Contains($"of which the confirmed containers take {filterNeeds}", beside.Detail, StringComparison.Ordinal);
        Installed(_device.Install(_device.Bundles.Full(TestBundles.Image("anomaly-detector",
            edit: c => c with { Resources = c.Resources with { MaxMemoryBytes = alone - filterNeeds } }))));
    }

    [Fact]
    public void A_container_that_needs_a_newer_runtime_and_too_much_memory_is_refused_with_both_problems_listed()
    {
        var newer = SemanticVersion.Release(RuntimeVersion.Current.Major + 1, 0, 0);
        var refused = _device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter-v1.1.0",
            edit: c => c with { MinRuntimeVersion = newer, Resources = c.Resources with { MaxMemoryBytes = 4L * 1024 * 1024 * 1024 } })));
        Assert.Equal(InstallResult.Refused, refused.Result);
        // One read of the written slot serves every check, and the refusal lists each problem (before: only the first).
        Assert.Contains("runtime-too-old: ", refused.Detail, StringComparison.Ordinal);
        Assert.Contains("; memory-budget-exceeded: ", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(SlotId.None, _device.Container("sensor-filter").TrialSlot);
    }

    [Fact]
    public void Only_one_process_drives_a_device()
    {
        using var first = LocalDevice.Open(_device.Data);
        var busy = Assert.Throws<DeviceBusyException>(() => LocalDevice.Open(_device.Data));
        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), busy.Message, StringComparison.Ordinal);
    }
}
