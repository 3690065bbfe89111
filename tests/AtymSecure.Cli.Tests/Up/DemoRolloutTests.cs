using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Cli.Up;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Runtime.Health;

namespace AtymSecure.Cli.Tests.Up;

/// <summary><see cref="DemoRollout.VerdictOf"/>: what a device's status says of a version the demo offers (a resumed demo must never downgrade).</summary>
public class DemoRolloutTests
{
    private static DeviceStatus Device(ContainerState state, string confirmed, string? trial, params TrialStatus[] trials) => new()
    {
        DeviceId = "atym-0123456789abcdef",
        Containers = [new ContainerStatus(DemoRollout.Container, state, SlotId.A, trial is null ? SlotId.None : SlotId.B, 3, 1,
            [new SlotStatus(SlotId.A, confirmed, 100, null, 1, true), new SlotStatus(SlotId.B, trial, trial is null ? 0 : 100, null, 1, trial is not null)], null)],
        Trials = [.. trials],
    };

    private static TrialStatus Failed(string version) => new(DateTimeOffset.UnixEpoch, DemoRollout.Container, version, TrialVerdict.Failed, "probe returned 3", null);

    [Fact]
    public void A_confirmed_version_or_a_later_one_is_decided_and_an_older_one_is_not()
    {
        var device = Device(ContainerState.Confirmed, "1.1.0", null);
        Assert.True(DemoRollout.VerdictOf(device, "1.0.0"));
        Assert.True(DemoRollout.VerdictOf(device, "1.1.0"));
        Assert.Null(DemoRollout.VerdictOf(device, "1.2.0"));
    }

    [Fact]
    public void A_device_stopped_mid_trial_of_a_later_version_still_holds_the_older_ones_decided()
    {
        // The case a resumed atym up met: 1.1.0 confirmed, 1.2.0 on trial at Ctrl+C. Before, 1.0.0 read as undecided and the
        // demo offered the device 1.0.0 again (a downgrade).
        foreach (var state in new[] { ContainerState.Pending, ContainerState.TrialBooted })
        {
            var device = Device(state, "1.1.0", "1.2.0");
            Assert.True(DemoRollout.VerdictOf(device, "1.0.0"));
            Assert.True(DemoRollout.VerdictOf(device, "1.1.0"));
            Assert.Null(DemoRollout.VerdictOf(device, "1.2.0"));
        }
    }

    [Fact]
    public void A_reverted_trial_is_a_failed_verdict_for_that_version_only()
    {
        var device = Device(ContainerState.Confirmed, "1.1.0", null, Failed("1.2.0"));
        Assert.False(DemoRollout.VerdictOf(device, "1.2.0"));
        Assert.True(DemoRollout.VerdictOf(device, "1.1.0"));
    }
}
