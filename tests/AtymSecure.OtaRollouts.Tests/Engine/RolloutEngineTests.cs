using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;
using static AtymSecure.OtaRollouts.Tests.Support.RolloutSamples;

namespace AtymSecure.OtaRollouts.Tests.Engine;

/// <summary>The main path on a fake clock: canaries, soak, waves, the halt rule, outcomes by type, timeouts.</summary>
public sealed class RolloutEngineTests
{
    [Fact]
    public void Canaries_confirm_then_each_wave_waits_for_its_soak_and_the_deployment_completes()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec(canary: 2, soak: TimeSpan.FromSeconds(30)), Fleet(6), clock.GetUtcNow()).State;
        Assert.Equal(DeploymentStatus.Running, state.Status);
        var canaries = Offered(state);
        Assert.Equal(2, canaries.Count);
        state = Feed(state, clock, OnTrial(canaries[0], 2), OnTrial(canaries[1], 2));
        Assert.All(canaries, c => Assert.Equal(DeviceRolloutState.Trial, state.Device(c)!.State));
        state = Feed(state, clock, Confirmed(canaries[0], 3), Confirmed(canaries[1], 3));
        Assert.NotNull(state.SoakUntil);
        Assert.Equal(0, state.Wave);

        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(RolloutEngine.Tick(state, clock.GetUtcNow()).Changed);
        clock.Advance(TimeSpan.FromSeconds(1));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        Assert.Equal(1, state.Wave);
        var wave1 = Offered(state);
        Assert.Equal(2, wave1.Count);
        Assert.DoesNotContain(wave1, canaries.Contains);

        state = Feed(state, clock, [.. wave1.Select(d => Confirmed(d, 2))]);
        clock.Advance(TimeSpan.FromSeconds(30));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        state = Feed(state, clock, [.. Offered(state).Select(d => Confirmed(d, 2))]);
        Assert.Equal(DeploymentStatus.Completed, state.Status);
        Assert.All(state.Devices, d => Assert.Equal(DeviceRolloutState.Succeeded, d.State));
        Assert.Equal(6, RolloutEngine.Offers(state).Count(o => o.ReleaseId == state.Spec.ReleaseId));
    }

    [Fact]
    public void A_reverted_canary_halts_the_rollout_nobody_else_is_offered_and_the_other_canary_on_trial_finishes()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec(canary: 2, halt: new HaltRule(1, null, 0)), Fleet(10), clock.GetUtcNow()).State;
        var canaries = Offered(state);
        state = Feed(state, clock, OnTrial(canaries[1], 2));
        var step = RolloutEngine.Observe(state, Reverted(canaries[0], 2), clock.GetUtcNow());
        state = step.State;
        Assert.Equal(DeploymentStatus.Halted, state.Status);
        var failed = Assert.Single(state.Halt!.Devices);
        Assert.Equal((canaries[0], FailureKind.TrialFailed, "health probe failed: sensor stuck at 0"), (failed.DeviceId, failed.Kind, failed.Reason));
        Assert.Equal(1, state.Halt.FailuresByKind["trial-failed"]);
        Assert.Contains(step.Decisions, d => d.Action == RolloutActions.Halted && d.Detail.Contains("sensor stuck at 0"));
        Assert.Equal([canaries[1]], Offered(state));

        clock.Advance(TimeSpan.FromHours(1));
        state = Feed(state, clock, Confirmed(canaries[1], 3));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        Assert.Equal(DeviceRolloutState.Succeeded, state.Device(canaries[1])!.State);
        Assert.Equal(8, state.Devices.Count(d => d.State == DeviceRolloutState.Pending));
        Assert.Equal([canaries[1]], RolloutEngine.Offers(state).Select(o => o.DeviceId));
    }

    [Fact]
    public void The_ratio_halts_only_once_the_minimum_number_of_devices_finished()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec(canary: 0, waves: [new(null, 100)], halt: new HaltRule(null, 0.2, 5)), Fleet(10), clock.GetUtcNow()).State;
        var wave = Offered(state);
        Assert.Equal(10, wave.Count);
        state = Feed(state, clock, Reverted(wave[0], 2), Reverted(wave[1], 2), Confirmed(wave[2], 2), Confirmed(wave[3], 2));
        Assert.Equal(DeploymentStatus.Running, state.Status); // 2 of 4 failed, but fewer than 5 finished
        state = Feed(state, clock, Confirmed(wave[4], 2));
        Assert.Equal(DeploymentStatus.Halted, state.Status); // 2 of 5 = 40% >= 20%
        Assert.Contains("2 of 5 finished failed", state.Halt!.Rule);
        Assert.Equal(2, state.Halt.Devices.Count);
    }

    [Fact]
    public void A_silent_device_times_out_as_failed_and_counts_for_the_halt_rule()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec(canary: 1, timeout: TimeSpan.FromMinutes(10), halt: new HaltRule(2, null, 0)), Fleet(4), clock.GetUtcNow()).State;
        var canary = Assert.Single(Offered(state));
        state = Feed(state, clock, OnTrial(canary, 2));
        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.False(RolloutEngine.Tick(state, clock.GetUtcNow()).Changed);
        clock.Advance(TimeSpan.FromMinutes(1));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        var d = state.Device(canary)!;
        Assert.Equal((DeviceRolloutState.Failed, FailureKind.TimedOut), (d.State, d.Failure));
        Assert.Contains("no final report within 10m (on trial)", d.Reason);
        Assert.Equal(DeploymentStatus.Running, state.Status); // one failure, halt at two: the next wave goes on after the soak
    }

    [Fact]
    public void Refusals_and_failed_installs_are_counted_by_type_and_an_old_result_does_not_count_again()
    {
        var clock = Clock();
        var fleet = Fleet(3);
        fleet[0] = fleet[0] with { Latest = Report("d00", 1, install: "failed", installCode: "download-failed") }; // from long before this deployment
        var state = RolloutEngine.Create(Spec(canary: 0, waves: [new(null, 100)], halt: new HaltRule(5, null, 0)), fleet, clock.GetUtcNow()).State;
        state = Feed(state, clock,
            Report("d00", 2, install: "failed", installCode: "download-failed"),   // the same old result again: nothing new
            Report("d01", 2, refusal: "target-not-listed"),
            Report("d02", 2, install: "refused", installCode: "counter-rollback"));
        Assert.Equal(DeviceRolloutState.Offered, state.Device("d00")!.State);
        Assert.Equal((DeviceRolloutState.Failed, FailureKind.Refused), (state.Device("d01")!.State, state.Device("d01")!.Failure));
        Assert.Contains("target-not-listed", state.Device("d01")!.Reason);
        Assert.Equal(FailureKind.Refused, state.Device("d02")!.Failure);
        state = Feed(state, clock, Report("d00", 3, install: "failed", installCode: "flash-write-failed"));
        Assert.Equal((DeviceRolloutState.Failed, FailureKind.InstallFailed), (state.Device("d00")!.State, state.Device("d00")!.Failure));
    }

    [Fact]
    public void A_download_cut_off_is_no_failure_the_device_resumes_by_itself_and_its_timeout_still_bounds_it()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec(canary: 0, waves: [new(null, 100)], halt: new HaltRule(1, null, 0), timeout: TimeSpan.FromMinutes(10)), Fleet(2), clock.GetUtcNow()).State;
        // The server went away mid-download (a restart) and the link was slow: the device reports both and resumes.
        var step = RolloutEngine.Observe(state, Report("d00", 2, refusal: AtymSecure.Formats.ReasonCodes.DownloadFailed), clock.GetUtcNow());
        state = Feed(step.State, clock, Report("d01", 2, refusal: AtymSecure.Formats.ReasonCodes.DownloadStalled));
        Assert.DoesNotContain(step.Decisions, d => d.Action == RolloutActions.Failed);
        Assert.Equal(DeploymentStatus.Running, state.Status);
        Assert.All(state.Devices, d => Assert.Equal((DeviceRolloutState.Offered, 1), (d.State, d.Attempts)));
        state = Feed(state, clock, Confirmed("d00", 3));
        Assert.Equal(DeviceRolloutState.Succeeded, state.Device("d00")!.State);
        // One that never gets the rest is failed by the device timeout, not by the transfer error.
        clock.Advance(TimeSpan.FromMinutes(10));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        Assert.Equal((DeviceRolloutState.Failed, FailureKind.TimedOut), (state.Device("d01")!.State, state.Device("d01")!.Failure));
    }

    [Fact]
    public void A_report_is_processed_once_even_when_it_arrives_again()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec(canary: 1, halt: new HaltRule(3, null, 0)), Fleet(4), clock.GetUtcNow()).State;
        var canary = Offered(state)[0];
        var first = RolloutEngine.Observe(state, Reverted(canary, 2), clock.GetUtcNow());
        Assert.Single(first.Decisions, d => d.Action == RolloutActions.Failed);
        var again = RolloutEngine.Observe(first.State, Reverted(canary, 2), clock.GetUtcNow());
        Assert.False(again.Changed);
        var older = RolloutEngine.Observe(first.State, Confirmed(canary, 1), clock.GetUtcNow());
        Assert.False(older.Changed);
    }

    [Fact]
    public void A_report_of_a_device_that_finished_here_changes_nothing()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec(canary: 0, waves: [new(null, 100)], halt: new HaltRule(3, null, 0)), Fleet(3), clock.GetUtcNow()).State;
        state = Feed(state, clock, Confirmed("d00", 2), Reverted("d01", 2));
        Assert.Equal((DeviceRolloutState.Succeeded, DeviceRolloutState.Failed), (state.Device("d00")!.State, state.Device("d01")!.State));
        // Later reports of a finished device (the next boot, the next deployment's install) are no input here: nothing to store again.
        Assert.False(RolloutEngine.Observe(state, Confirmed("d00", 3), clock.GetUtcNow()).Changed);
        Assert.False(RolloutEngine.Observe(state, Report("d01", 3, install: "failed", installCode: "flash-write-failed"), clock.GetUtcNow()).Changed);
    }
}
