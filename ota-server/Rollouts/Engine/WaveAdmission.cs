using AtymSecure.OtaStore;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// Offers the release in a running deployment: the current wave's pending devices (and those of earlier waves a
/// the cap held back), and retries whose backoff passed, while fewer than the cap are downloading. Maintenance windows
/// do not hold an offer back: the device downloads at once and installs inside its window, which the director signs
/// into the target (<see cref="InstallWindows"/>); a device waiting for its window has downloaded and does not count
/// against the cap. When every device of the wave has
/// finished and the halt rule held, the wave soaks, then the next one starts; after the last, a snapshot deployment
/// completes and a continuous one stays running for devices that join.
/// </summary>
internal static class WaveAdmission
{
    public static void Advance(RolloutWork work)
    {
        while (true)
        {
            Admit(work);
            var wave = work.State.Wave;
            if (work.Devices.Any(d => d.Wave == wave && !d.IsFinished)) return;
            if (work.State.SoakUntil is null)
            {
                var ended = work.Now + work.Spec.Plan.Soak;
                work.State = work.State with { SoakUntil = ended };
                work.Event(RolloutActions.WaveFinished, $"{RolloutText.WaveName(work.State, wave)} finished: {Counts(work, wave)}" +
                    (work.Spec.Plan.Soak > TimeSpan.Zero && wave + 1 < work.State.WaveCount ? $"; soaks {RolloutText.Duration(work.Spec.Plan.Soak)}" : ""));
            }
            if (wave + 1 >= work.State.WaveCount)
            {
                // No soak after the last wave: nothing waits for it.
                if (work.Spec.Targeting == TargetingMode.Snapshot)
                    work.Status(DeploymentStatus.Completed, RolloutActions.Completed, $"every wave finished: {Counts(work, null)}");
                return;
            }
            if (work.Now < work.State.SoakUntil || !work.MayStart(wave + 1)) return;
            work.State = work.State with { Wave = wave + 1, SoakUntil = null };
            work.Event(RolloutActions.WaveStarted, $"{RolloutText.WaveName(work.State, wave + 1)} of {work.State.WaveCount} starts: {work.Devices.Count(d => d.Wave == wave + 1)} devices");
        }
    }

    private static void Admit(RolloutWork work)
    {
        var downloading = work.Devices.Count(d => d.State == DeviceRolloutState.Offered);
        for (var i = 0; i < work.Devices.Count; i++)
        {
            if (work.Spec.MaxConcurrentDownloads is { } cap && downloading >= cap) return;
            var d = work.Devices[i];
            var due = d.State == DeviceRolloutState.Pending && d.Wave >= 0 && d.Wave <= work.State.Wave
                || d.State == DeviceRolloutState.RetryWait && d.RetryAt <= work.Now;
            if (!due) continue;
            var retry = d.State == DeviceRolloutState.RetryWait;
            var stage = retry && d.OfferedReleaseId is { } again ? again : Stages.First(work.Spec, d.FromVersion).ReleaseId;
            var version = stage == work.Spec.ReleaseId ? work.Spec.Version : work.Spec.Via.First(v => v.ReleaseId == stage).Version;
            work.DeviceEvent(i, d with { State = DeviceRolloutState.Offered, OfferedReleaseId = stage, OfferedAt = work.Now, Attempts = d.Attempts + 1, RetryAt = null },
                RolloutActions.Offered, retry ? $"offered {version} again (attempt {d.Attempts + 1})" : $"offered {version} ({RolloutText.WaveName(work.State, d.Wave)})");
            downloading++;
        }
    }

    private static string Counts(RolloutWork work, int? wave)
    {
        var devices = work.Devices.Where(d => wave is null ? d.Wave >= 0 : d.Wave == wave).ToList();
        return $"{devices.Count(d => d.State == DeviceRolloutState.Succeeded)} confirmed, {devices.Count(d => d.State == DeviceRolloutState.Failed)} failed" +
            (devices.Count(d => d.State == DeviceRolloutState.Superseded) is > 0 and var s ? $", {s} superseded" : "");
    }
}
