using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Health;

namespace AtymSecure.DeviceAgent.Tests;

/// <summary>
/// Versions through the device install path: the one SemVer type end to end (issue 10: a valid config saying
/// <c>2.0.0-rc.1+build.5</c> bundled fine and was then refused on the device as bad metadata).
/// </summary>
public sealed class DeviceVersionTests : IDisposable
{
    private readonly DeviceFixture _device = new("sensor-filter");

    public void Dispose() => _device.Dispose();

    private static byte[] SensorFilter(string version) =>
        TestBundles.Image("sensor-filter", edit: c => c with { Version = SemanticVersion.Parse(version) });

    [Fact]
    public void A_pre_release_with_build_metadata_installs_runs_and_is_reported_in_full()
    {
        // Failed before the fix: "refused: bad-metadata: '2.0.0-rc.1+build.5' is not a version of the form major.minor.patch".
        var install = _device.Install(_device.Bundles.Full(SensorFilter("2.0.0-rc.1+build.5")));
        Assert.True(install.Result == InstallResult.Installed, $"{install.Result}: {install.Detail}");
        Assert.Equal("2.0.0-rc.1+build.5", install.Version);
        Assert.Equal("2.0.0-rc.1+build.5", _device.Container("sensor-filter").Slots.Single(s => s.Version is not null).Version);

        var status = _device.Run();
        var trial = Assert.Single(status.Trials);
        Assert.Equal(("2.0.0-rc.1+build.5", TrialVerdict.Passed), (trial.Version, trial.Verdict));
        var sf = _device.Container("sensor-filter");
        Assert.Equal(ContainerState.Confirmed, sf.State);
        Assert.Equal("2.0.0-rc.1+build.5", sf.Slots.Single(s => s.Slot == sf.ConfirmedSlot).Version);
    }
}
