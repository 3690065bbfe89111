using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>
/// A scenario of the power-cut matrix: uncut setup, then an update agent that is resumable from
/// any state — after every power-on it looks at the durable state and does the next step, like a
/// real agent after a reboot. <see cref="Step"/> returns true when the goal is reached.
/// </summary>
public sealed class PowerCutScenario
{
    public required string Name { get; init; }

    /// <summary>Containers and their slot size.</summary>
    public required IReadOnlyList<ContainerSlotRequest> Containers { get; init; }

    /// <summary>Builds per-device images (allowed images are registered here) and puts the device in its start state, uncut.</summary>
    public required Action<ScenarioContext> Setup { get; init; }

    /// <summary>One agent step after a power-on; true when the goal is reached (no flash writes then).</summary>
    public required Func<ScenarioContext, DeviceBootloader, bool> Step { get; init; }

    public override string ToString() => Name;

    /// <summary>
    /// The generic agent for "get <paramref name="target"/> confirmed": confirm a running trial of it,
    /// reboot while it is pending, otherwise (re)install it. True when it is the confirmed image.
    /// <paramref name="preCheck"/> vouches for the image (default: the test images' signature check).
    /// </summary>
    public static bool DriveToConfirmed(ScenarioContext ctx, DeviceBootloader bl, IInstallImage target, IInstallPreCheck? preCheck = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(bl);
        ArgumentNullException.ThrowIfNull(target);
        var c = target.ContainerName;
        var r = bl.State(c);
        if (r.State == ContainerState.Confirmed && r.ConfirmedImage?.Digest == target.TargetDigest) return true;
        if (r.State == ContainerState.TrialBooted && ctx.LastReport![c].RunningImage?.Digest == target.TargetDigest)
        {
            bl.Confirm(c); // the runtime's health check passed
            return false;
        }
        if (r.State == ContainerState.Pending) return false; // reboot into the trial
        bl.Install(target, preCheck ?? ctx.PreCheck);
        return false;
    }

    /// <summary>
    /// The agent for "try <paramref name="target"/> and see it reverted": install it, then on the
    /// trial either reject it (health failed) or just reboot (crash loop) until the bootloader reverts.
    /// </summary>
    public static bool DriveToReverted(ScenarioContext ctx, DeviceBootloader bl, IInstallImage target, Digest old, bool rejectOnHealth)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(bl);
        ArgumentNullException.ThrowIfNull(target);
        var c = target.ContainerName;
        var r = bl.State(c);
        if (r.State == ContainerState.Reverted && r.ConfirmedImage?.Digest == old) return true;
        if (r.State == ContainerState.TrialBooted)
        {
            if (rejectOnHealth) bl.Reject(c);
            return false; // crash loop: no confirm, the next boot uses up another attempt
        }
        if (r.State == ContainerState.Pending) return false;
        bl.Install(target, ctx.PreCheck);
        return false;
    }
}
