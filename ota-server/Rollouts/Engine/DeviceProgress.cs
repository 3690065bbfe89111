using AtymSecure.Formats;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// What one report means for one device of a deployment. A report is used once (its sequence must be above the last
/// one used) and only what changed since the last report counts: a new install result, a new trial verdict, a new
/// refusal. Outcomes: the offered version confirmed → succeeded (or, for an intermediate release, the next release is
/// offered); the offered version reverted → failed (trial, with the probe's reason); the offered version in the
/// trial slot → on trial; the offered version downloaded and held for its install window → waiting (until the opening
/// it reports); a new refusal → failed (refused, never retried), except a broken or slow transfer, which the
/// device resumes by itself (<see cref="ReasonCodes.IsTransfer"/>; the device timeout bounds it); a new failed install → retried with backoff
/// while the retry policy allows, then failed (install). A failed trial is never retried.
/// </summary>
internal static class DeviceProgress
{
    public static void Observe(RolloutWork work, DeviceObservation o)
    {
        var index = work.IndexOf(o.DeviceId);
        if (index < 0) return;
        var d = work.Devices[index];
        if (o.Sequence <= d.LastReport || IsSettled(d)) return;
        var newInstall = o.InstallMark is not null && o.InstallMark != d.InstallMark;
        var newTrial = o.TrialMark is not null && o.TrialMark != d.TrialMark;
        var newRefusal = o.RefusalMark is not null && o.RefusalMark != d.RefusalMark;
        var seen = d with { LastReport = o.Sequence, InstallMark = o.InstallMark, TrialMark = o.TrialMark, RefusalMark = o.RefusalMark };
        work.Devices[index] = seen;
        if (seen.State is not (DeviceRolloutState.Offered or DeviceRolloutState.Waiting or DeviceRolloutState.Trial or DeviceRolloutState.Withdrawn) || seen.OfferedReleaseId is null) return;
        var offeredVersion = VersionOf(work.Spec, seen.OfferedReleaseId);
        var inFlight = seen.State is not DeviceRolloutState.Withdrawn;
        if (o.ConfirmedVersion == offeredVersion)
        {
            if (seen.OfferedReleaseId != work.Spec.ReleaseId && Stages.Next(work.Spec, offeredVersion) is { } next && inFlight)
                work.DeviceEvent(index, seen with { OfferedReleaseId = next.ReleaseId, OfferedAt = work.Now, State = DeviceRolloutState.Offered, Attempts = 1 },
                    RolloutActions.IntermediateConfirmed, $"confirmed required release {offeredVersion}; offered {next.Version}");
            else
                work.DeviceEvent(index, seen with { State = DeviceRolloutState.Succeeded, Reason = $"confirmed {offeredVersion} after its trial" },
                    RolloutActions.Confirmed, $"confirmed {offeredVersion} after its trial");
        }
        else if (newTrial && o.TrialVerdict == TrialReport.Failed && o.TrialVersionJudged == offeredVersion)
            Fail(work, index, seen, FailureKind.TrialFailed, o.TrialReason ?? "reverted after its trial");
        else if (o.TrialVersion == offeredVersion)
        {
            if (seen.State != DeviceRolloutState.Trial)
                work.DeviceEvent(index, seen with { State = DeviceRolloutState.Trial }, RolloutActions.OnTrial, $"{offeredVersion} on trial");
        }
        else if (!inFlight) return;
        else if (o.AwaitingVersion == offeredVersion && seen.State is DeviceRolloutState.Offered or DeviceRolloutState.Waiting)
        {
            var until = o.WindowOpensAt ?? work.Now;
            if (seen.State != DeviceRolloutState.Waiting || (o.WindowOpensAt is not null && seen.WaitingUntil != until))
                work.DeviceEvent(index, seen with { State = DeviceRolloutState.Waiting, WaitingUntil = until }, RolloutActions.AwaitingWindow,
                    o.WindowOpensAt is { } opens ? $"{offeredVersion} downloaded; waits for its install window at {opens:O}" : $"{offeredVersion} downloaded; no install window ahead, waits for fresh metadata");
        }
        // A cut-off or stalled download (a server restart, a slow link) the device resumes by itself: still in flight;
        // the device timeout fails one that never finishes.
        else if (newRefusal && ReasonCodes.IsTransfer(o.RefusalCode)) return;
        else if (newRefusal) Fail(work, index, seen, FailureKind.Refused, $"{o.RefusalCode} ({o.RefusalDetail})");
        else if (newInstall && o.InstallResult == "refused") Fail(work, index, seen, FailureKind.Refused, $"install refused: {o.InstallCode} {o.InstallDetail}".TrimEnd());
        else if (newInstall && o.InstallResult == "failed") Retry(work, index, seen, $"install failed: {o.InstallCode} {o.InstallDetail}".TrimEnd());
    }

    /// <summary>
    /// Succeeded, failed or superseded: no report changes the device here any more, so its reports are not even
    /// recorded (each record would rewrite the deployment's stored state, for every report of a device that ever was
    /// in it). A withdrawn device still takes reports: it may confirm or revert the release it had reached.
    /// </summary>
    public static bool IsSettled(DeviceRollout d) =>
        d.State is DeviceRolloutState.Succeeded or DeviceRolloutState.Failed or DeviceRolloutState.Superseded;

    /// <summary>A report of the device may still change it: offered, on trial or waiting for a retry; or withdrawn less than
    /// the device timeout after its offer (a download that had started may go on to a trial or a confirm).</summary>
    public static bool MayStillReport(DeviceRollout d, DeploymentSpec spec, DateTimeOffset now) =>
        d.State is DeviceRolloutState.Offered or DeviceRolloutState.Trial or DeviceRolloutState.RetryWait
        || d.State == DeviceRolloutState.Withdrawn && d.OfferedAt is { } at && now - at < spec.DeviceTimeout;

    /// <summary>A transient failure: offered again after the backoff while attempts remain, else failed (install).</summary>
    public static void Retry(RolloutWork work, int index, DeviceRollout d, string reason)
    {
        var retry = d.Attempts; // attempts made so far; the first retry is attempt 2
        if (retry > work.Spec.Retry.MaxRetries)
        {
            Fail(work, index, d, FailureKind.InstallFailed, retry > 1 ? $"{reason} (after {retry} attempts)" : reason);
            return;
        }
        var at = work.Now + work.Spec.Retry.BackoffBefore(retry);
        work.DeviceEvent(index, d with { State = DeviceRolloutState.RetryWait, RetryAt = at, Reason = reason },
            RolloutActions.RetryScheduled, $"{reason}; retry {retry} of {work.Spec.Retry.MaxRetries} at {at:O}");
    }

    public static void Fail(RolloutWork work, int index, DeviceRollout d, FailureKind kind, string reason) =>
        work.DeviceEvent(index, d with { State = DeviceRolloutState.Failed, Failure = kind, Reason = reason },
            RolloutActions.Failed, $"{RolloutText.Kind(kind)}: {reason}");

    /// <summary>Devices offered (or on trial) for longer than the device timeout count as failed: timed out. A device that
    /// reported waiting for its install window counts from the window's opening (<see cref="DeviceRollout.InFlightSince"/>).</summary>
    public static void CheckTimeouts(RolloutWork work)
    {
        for (var i = 0; i < work.Devices.Count; i++)
        {
            var d = work.Devices[i];
            if (d.State is DeviceRolloutState.Offered or DeviceRolloutState.Waiting or DeviceRolloutState.Trial && d.InFlightSince is { } at && work.Now - at >= work.Spec.DeviceTimeout)
                Fail(work, i, d, FailureKind.TimedOut, $"no final report within {RolloutText.Duration(work.Spec.DeviceTimeout)} ({State(d.State)})");
        }
    }

    private static string State(DeviceRolloutState state) => state switch
    {
        DeviceRolloutState.Trial => "on trial",
        DeviceRolloutState.Waiting => "after its install window opened",
        _ => "offered",
    };

    private static string VersionOf(DeploymentSpec spec, string releaseId) =>
        releaseId == spec.ReleaseId ? spec.Version : spec.Via.FirstOrDefault(v => v.ReleaseId == releaseId)?.Version ?? spec.Version;
}
