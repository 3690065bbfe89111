using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using static AtymSecure.OtaRollouts.Tests.Support.RolloutSamples;

namespace AtymSecure.OtaRollouts.Tests.Engine;

/// <summary>One fast test per knob of a deployment, on a fake clock.</summary>
public sealed class RolloutKnobTests
{
    private static void To(VirtualClock clock, DateTimeOffset at) => clock.Advance(at - clock.GetUtcNow());

    private static readonly DeploymentSpec OneWave = Spec(canary: 0, waves: [new(null, 100)], halt: new HaltRule(null, null, 0), timeout: TimeSpan.FromDays(1));

    [Fact]
    public void A_failed_install_is_retried_with_doubling_backoff_and_fails_when_the_retries_run_out()
    {
        var clock = Clock();
        var spec = OneWave with { Retry = new RetryPolicy(2, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)) };
        var state = RolloutEngine.Create(spec, Fleet(1), clock.GetUtcNow()).State;
        state = Feed(state, clock, Report("d00", 2, install: "failed", installCode: "download-failed"));
        Assert.Equal(DeviceRolloutState.RetryWait, state.Device("d00")!.State);
        Assert.Empty(RolloutEngine.Offers(state));
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(RolloutEngine.Tick(state, clock.GetUtcNow()).Changed);
        clock.Advance(TimeSpan.FromSeconds(1));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        Assert.Equal((DeviceRolloutState.Offered, 2), (state.Device("d00")!.State, state.Device("d00")!.Attempts));
        state = Feed(state, clock, Report("d00", 3, install: "failed", installCode: "flash-write-failed"));
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(20), state.Device("d00")!.RetryAt); // second retry: 2 × 10 s
        clock.Advance(TimeSpan.FromSeconds(20));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        state = Feed(state, clock, Report("d00", 4, install: "failed", installCode: "download-failed"));
        var d = state.Device("d00")!;
        Assert.Equal((DeviceRolloutState.Failed, FailureKind.InstallFailed, 3), (d.State, d.Failure, d.Attempts));
    }

    [Fact]
    public void A_failed_health_trial_is_never_retried()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(OneWave with { Retry = new RetryPolicy(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) }, Fleet(1), clock.GetUtcNow()).State;
        state = Feed(state, clock, Reverted("d00", 2));
        clock.Advance(TimeSpan.FromHours(1));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        Assert.Equal((DeviceRolloutState.Failed, FailureKind.TrialFailed, 1), (state.Device("d00")!.State, state.Device("d00")!.Failure, state.Device("d00")!.Attempts));
    }

    [Fact]
    public void The_download_cap_offers_at_most_that_many_devices_until_they_reach_their_trial()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(OneWave with { MaxConcurrentDownloads = 2 }, Fleet(5), clock.GetUtcNow()).State;
        Assert.Equal(["d00", "d01"], Offered(state));
        state = Feed(state, clock, OnTrial("d00", 2));
        Assert.Equal(["d00", "d01", "d02"], Offered(state).Order());
        Assert.Equal(2, state.Devices.Count(x => x.State == DeviceRolloutState.Offered));
    }

    [Fact]
    public void A_maintenance_window_follows_its_time_zone_and_does_not_hold_the_offer_back()
    {
        // 02:00-04:00 in Berlin every day: 01:00-03:00 UTC in winter (December), 00:00-02:00 UTC in summer.
        var window = new MaintenanceWindow("eu", [.. Enum.GetValues<DayOfWeek>()], new TimeOnly(2, 0), TimeSpan.FromHours(2), "Europe/Berlin");
        Assert.True(MaintenanceWindows.Contains(window, new DateTimeOffset(2026, 12, 2, 1, 30, 0, TimeSpan.Zero)));
        Assert.False(MaintenanceWindows.Contains(window, new DateTimeOffset(2026, 12, 2, 0, 30, 0, TimeSpan.Zero)));
        Assert.True(MaintenanceWindows.Contains(window, new DateTimeOffset(2026, 7, 2, 0, 30, 0, TimeSpan.Zero)));
        var overnight = window with { Days = [DayOfWeek.Saturday], Start = new TimeOnly(23, 0), TimeZone = "UTC" };
        Assert.True(MaintenanceWindows.Contains(overnight, new DateTimeOffset(2026, 12, 6, 0, 30, 0, TimeSpan.Zero))); // Sunday 00:30, Saturday's window
        Assert.False(MaintenanceWindows.Contains(overnight, new DateTimeOffset(2026, 12, 7, 0, 30, 0, TimeSpan.Zero)));

        // 10:00 UTC: outside the eu window, yet every device is offered (download any time); the window goes into the
        // signed target instead (InstallWindowsTests), and the device installs inside it.
        var clock = Clock();
        var spec = OneWave with { Windows = [window] };
        var state = RolloutEngine.Create(spec, Fleet(4), clock.GetUtcNow()).State;
        Assert.Equal(["d00", "d01", "d02", "d03"], Offered(state).Order());
        Assert.False(MaintenanceWindows.IsOpen(spec.Windows, ["eu"], clock.GetUtcNow()));
        Assert.True(MaintenanceWindows.IsOpen(spec.Windows, ["us"], clock.GetUtcNow()));

        var forced = RolloutEngine.Create(spec with { Forced = true }, Fleet(4), Epoch).State;
        Assert.Equal(4, Offered(forced).Count);
    }

    [Fact]
    public void A_device_waiting_for_its_window_is_not_silent_and_its_timeout_runs_from_the_opening()
    {
        var clock = Clock(); // Wednesday 10:00 UTC; the window opens on Saturday
        var opens = Epoch.AddDays(3);
        var spec = OneWave with { DeviceTimeout = TimeSpan.FromHours(1), MaxConcurrentDownloads = 1 };
        var state = RolloutEngine.Create(spec, Fleet(2), clock.GetUtcNow()).State;
        Assert.Equal(["d00"], Offered(state));
        state = Feed(state, clock, Waiting("d00", 2, opens));
        var d = state.Device("d00")!;
        Assert.Equal((DeviceRolloutState.Waiting, opens), (d.State, d.WaitingUntil));
        // Downloaded: no longer counted against the download cap, so the next device is offered.
        Assert.Equal(DeviceRolloutState.Offered, state.Device("d01")!.State);
        Assert.Contains(("d00", spec.ReleaseId), RolloutEngine.Offers(state));

        clock.Advance(TimeSpan.FromDays(2)); // two days without a report, far past the 1 h timeout: still waiting
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        Assert.Equal(DeviceRolloutState.Waiting, state.Device("d00")!.State);
        Assert.Equal(FailureKind.TimedOut, state.Device("d01")!.Failure); // offered and silent: the timeout still holds
        var view = AtymSecure.OtaRollouts.Endpoints.DeploymentView.Of(state, withDevices: false).Waves[0];
        Assert.Equal((1, 1), (view.Downloading, view.AwaitingWindow));

        To(clock, opens.AddMinutes(10)); // the window opened; the device installs and reports its trial
        state = Feed(state, clock, OnTrial("d00", 3));
        Assert.Equal(DeviceRolloutState.Trial, state.Device("d00")!.State);
        To(clock, opens.AddMinutes(59));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        Assert.Equal(DeviceRolloutState.Trial, state.Device("d00")!.State); // the trial's timeout, too, counts from the opening
        To(clock, opens.AddHours(1));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        Assert.Equal((DeviceRolloutState.Failed, FailureKind.TimedOut), (state.Device("d00")!.State, state.Device("d00")!.Failure));
    }

    [Fact]
    public void A_waiting_device_silent_after_its_window_opened_times_out_and_confirms_otherwise()
    {
        var clock = Clock();
        var opens = Epoch.AddHours(5);
        var spec = OneWave with { DeviceTimeout = TimeSpan.FromHours(1) };
        var state = RolloutEngine.Create(spec, Fleet(2), clock.GetUtcNow()).State;
        state = Feed(state, clock, Waiting("d00", 2, opens), Waiting("d01", 2, opens));
        state = Feed(state, clock, Waiting("d00", 3, opens)); // the same wait again is no new decision
        To(clock, opens.AddMinutes(30));
        state = Feed(state, clock, Confirmed("d01", 3));
        Assert.Equal(DeviceRolloutState.Succeeded, state.Device("d01")!.State);
        To(clock, opens.AddHours(1));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        var d = state.Device("d00")!;
        Assert.Equal((DeviceRolloutState.Failed, FailureKind.TimedOut), (d.State, d.Failure));
        Assert.Contains("after its install window opened", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_halt_withdraws_devices_still_waiting_for_their_window()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(OneWave with { Halt = new HaltRule(1, null, 0) }, Fleet(3), clock.GetUtcNow()).State;
        state = Feed(state, clock, Waiting("d00", 2, Epoch.AddDays(1)), OnTrial("d01", 2), Reverted("d02", 2));
        Assert.Equal(DeploymentStatus.Halted, state.Status);
        Assert.Equal(DeviceRolloutState.Withdrawn, state.Device("d00")!.State);
        Assert.Equal(DeviceRolloutState.Trial, state.Device("d01")!.State);
        Assert.DoesNotContain(RolloutEngine.Offers(state), o => o.DeviceId == "d00");
    }

    [Fact]
    public void A_scheduled_deployment_starts_at_its_start_and_offers_nobody_new_after_its_end()
    {
        var clock = Clock();
        var spec = Spec(canary: 1, soak: TimeSpan.Zero, timeout: TimeSpan.FromDays(1)) with { StartAt = Epoch.AddHours(1), EndAt = Epoch.AddHours(2) };
        var state = RolloutEngine.Create(spec, Fleet(4), clock.GetUtcNow()).State;
        Assert.Equal(DeploymentStatus.Scheduled, state.Status);
        Assert.Empty(Offered(state));
        clock.Advance(TimeSpan.FromHours(1));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        Assert.Equal(DeploymentStatus.Running, state.Status);
        var canary = Assert.Single(Offered(state));
        state = Feed(state, clock, OnTrial(canary, 2));
        clock.Advance(TimeSpan.FromHours(1));
        state = RolloutEngine.Tick(state, clock.GetUtcNow()).State;
        Assert.Equal(DeploymentStatus.Ended, state.Status);
        state = Feed(state, clock, Confirmed(canary, 3));
        Assert.Equal(DeviceRolloutState.Succeeded, state.Device(canary)!.State);
        Assert.Equal(3, state.Devices.Count(d => d.State == DeviceRolloutState.Pending));
    }

    [Fact]
    public void Approval_must_come_from_a_second_operator_before_the_first_wave()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec() with { RequiresApproval = true }, Fleet(4), clock.GetUtcNow()).State;
        Assert.Equal(DeploymentStatus.AwaitingApproval, state.Status);
        Assert.Empty(Offered(state));
        var refused = Assert.Throws<AtymSecure.OtaContracts.OtaProblemException>(() => RolloutEngine.Approve(state, Alice, clock.GetUtcNow()));
        Assert.Equal((409, RolloutProblemCodes.ApprovalBySameOperator), (refused.Status, refused.Problems[0].Code));
        state = RolloutEngine.Approve(state, Bob, clock.GetUtcNow()).State;
        Assert.Equal((DeploymentStatus.Running, "tok-bob bob"), (state.Status, state.ApprovedBy));
        Assert.Equal(2, Offered(state).Count);
        Assert.Throws<AtymSecure.OtaContracts.OtaProblemException>(() => RolloutEngine.Approve(state, Bob, clock.GetUtcNow()));
    }

    [Fact]
    public void A_device_below_a_required_release_passes_through_it_first()
    {
        var clock = Clock();
        var spec = OneWave with { Via = [new IntermediateRelease("rel-1500000000000000", "1.5.0")] };
        var fleet = new List<FleetDevice> { Device("d-old", "eu", "1.0.0"), Device("d-mid", "eu", "1.5.0") };
        var state = RolloutEngine.Create(spec, fleet, clock.GetUtcNow()).State;
        Assert.Equal("rel-1500000000000000", state.Device("d-old")!.OfferedReleaseId);
        Assert.Equal(spec.ReleaseId, state.Device("d-mid")!.OfferedReleaseId);
        state = Feed(state, clock, Confirmed("d-old", 2, "1.5.0"));
        Assert.Equal((DeviceRolloutState.Offered, spec.ReleaseId), (state.Device("d-old")!.State, state.Device("d-old")!.OfferedReleaseId));
        state = Feed(state, clock, Confirmed("d-old", 3), Confirmed("d-mid", 2));
        Assert.Equal(DeploymentStatus.Completed, state.Status);
    }

    [Fact]
    public void Continuous_targeting_picks_up_devices_that_join_later_and_snapshot_does_not()
    {
        var clock = Clock();
        var grown = Fleet(3);
        grown.Add(Device("d-late", "eu"));
        var snapshot = RolloutEngine.Create(OneWave, Fleet(3), clock.GetUtcNow()).State;
        Assert.Null(RolloutEngine.Tick(snapshot, clock.GetUtcNow(), grown).State.Device("d-late"));

        var continuous = RolloutEngine.Create(OneWave with { Targeting = TargetingMode.Continuous }, Fleet(3), clock.GetUtcNow()).State;
        continuous = Feed(continuous, clock, Confirmed("d00", 2), Confirmed("d01", 2), Confirmed("d02", 2));
        Assert.Equal(DeploymentStatus.Running, continuous.Status); // a continuous deployment stays open after its last wave
        continuous = RolloutEngine.Tick(continuous, clock.GetUtcNow(), grown).State;
        Assert.Equal(DeviceRolloutState.Offered, continuous.Device("d-late")!.State);
    }

    [Fact]
    public void A_halt_with_the_rollback_policy_asks_for_a_rollback_and_marking_it_rolled_back_stops_the_offers()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec(canary: 2) with { RollbackOnHalt = true }, Fleet(6), clock.GetUtcNow()).State;
        var canaries = Offered(state);
        state = Feed(state, clock, Confirmed(canaries[1], 2));
        var halt = RolloutEngine.Observe(state, Reverted(canaries[0], 2), clock.GetUtcNow());
        Assert.True(halt.RollbackRequested);
        var rolledBack = RolloutEngine.MarkRolledBack(halt.State, "dep-rollback", clock.GetUtcNow()).State;
        Assert.Equal((DeploymentStatus.RolledBack, "dep-rollback"), (rolledBack.Status, rolledBack.RolledBackBy));
        var withoutPolicy = RolloutEngine.Observe(RolloutEngine.Create(Spec(canary: 1), Fleet(3), Epoch).State, Reverted("d00", 2), Epoch);
        Assert.False(withoutPolicy.RollbackRequested);
    }

    [Fact]
    public void Pause_holds_new_offers_resume_continues_and_cancel_withdraws_unstarted_offers()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec(canary: 1, soak: TimeSpan.Zero), Fleet(5), clock.GetUtcNow()).State;
        var canary = Offered(state).Single();
        state = RolloutEngine.Pause(state, Alice, clock.GetUtcNow()).State;
        state = Feed(state, clock, Confirmed(canary, 2));
        Assert.Equal([], Offered(state));
        Assert.Equal(DeploymentStatus.Paused, state.Status);
        state = RolloutEngine.Resume(state, Bob, clock.GetUtcNow()).State;
        Assert.Equal(2, Offered(state).Count);
        state = Feed(state, clock, OnTrial(Offered(state)[0], 2));
        state = RolloutEngine.Cancel(state, Alice, clock.GetUtcNow()).State;
        Assert.Equal(DeploymentStatus.Cancelled, state.Status);
        Assert.Single(state.Devices, d => d.State == DeviceRolloutState.Withdrawn);
        Assert.Single(state.Devices, d => d.State == DeviceRolloutState.Trial);
        Assert.Throws<AtymSecure.OtaContracts.OtaProblemException>(() => RolloutEngine.Resume(state, Alice, clock.GetUtcNow()));
    }

    [Fact]
    public void A_newer_deployment_supersedes_pending_devices_at_once_and_others_when_they_take_its_release()
    {
        var clock = Clock();
        var state = RolloutEngine.Create(Spec(canary: 1, soak: TimeSpan.Zero), Fleet(3), clock.GetUtcNow()).State;
        var canary = Offered(state).Single();
        state = RolloutEngine.Supersede(state, ["d00", "d01", "d02"], "dep-newer", onlyPending: true, clock.GetUtcNow()).State;
        Assert.Equal(DeviceRolloutState.Offered, state.Device(canary)!.State);
        Assert.Equal(2, state.Devices.Count(d => d.State == DeviceRolloutState.Superseded));
        state = RolloutEngine.Supersede(state, [canary], "dep-newer", onlyPending: false, clock.GetUtcNow()).State;
        Assert.Empty(RolloutEngine.Offers(state));
        Assert.Equal(DeploymentStatus.Completed, state.Status);
    }
}
