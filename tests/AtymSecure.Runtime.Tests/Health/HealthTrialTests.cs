using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Health;
using AtymSecure.Primitives;

namespace AtymSecure.Runtime.Tests.Health;

/// <summary>The trial decision logic on a manual clock: no threads, no sleeping.</summary>
public sealed class HealthTrialTests
{
    private static readonly HealthTrialPolicy Policy = new(PassesRequired: 3, Window: TimeSpan.FromSeconds(10), Interval: TimeSpan.FromSeconds(1), ProbeTimeout: TimeSpan.FromMilliseconds(200));
    private static readonly ProbeResult Pass = new(true, "ok");

    [Fact]
    public void K_passes_within_T_pass_the_trial()
    {
        var clock = new VirtualClock();
        var trial = new HealthTrial("c", Policy, clock);
        for (var i = 0; i < 2; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(TrialVerdict.Pending, trial.OnProbe(Pass));
        }
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TrialVerdict.Passed, trial.OnProbe(Pass));
        Assert.Contains("3 probes passed", trial.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Passes_after_the_window_do_not_count()
    {
        var clock = new VirtualClock();
        var trial = new HealthTrial("c", Policy, clock);
        trial.OnProbe(Pass);
        trial.OnProbe(Pass);
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(TrialVerdict.Failed, trial.OnProbe(Pass));
        Assert.Contains("only 2 of 3", trial.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void One_failed_probe_fails_the_trial_and_the_verdict_is_final()
    {
        var trial = new HealthTrial("c", Policy, new VirtualClock());
        trial.OnProbe(Pass);
        Assert.Equal(TrialVerdict.Failed, trial.OnProbe(new ProbeResult(false, "probe returned 3")));
        Assert.Equal(TrialVerdict.Failed, trial.OnProbe(Pass));
        Assert.Contains("probe returned 3", trial.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OutcomeKind.Trapped, false)]
    [InlineData(OutcomeKind.OutOfMemory, false)]
    [InlineData(OutcomeKind.SliceDeadline, false)]
    [InlineData(OutcomeKind.Trapped, true)]
    public void A_failed_run_or_crash_loop_fails_the_trial(OutcomeKind kind, bool crashLoop)
    {
        var trial = new HealthTrial("c", Policy, new VirtualClock());
        var outcome = new RunOutcome(kind, null, "boom", TimeSpan.FromMilliseconds(5));
        var verdict = trial.OnContainerEvent(new ContainerEvent("c", "2.0.0", ContainerRunState.Created, outcome, crashLoop, "restarting", TimeSpan.Zero));
        Assert.Equal(TrialVerdict.Failed, verdict);
        Assert.Contains(crashLoop ? "crash loop" : "failed during trial", trial.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_health_check_surviving_the_window_passes()
    {
        var clock = new VirtualClock();
        var trial = new HealthTrial("c", HealthTrialPolicy.From(null), clock);
        Assert.Equal(TrialVerdict.Pending, trial.CheckDeadline());
        clock.Advance(HealthTrialPolicy.NoProbeWindow + TimeSpan.FromMilliseconds(1));
        Assert.Equal(TrialVerdict.Passed, trial.CheckDeadline());
    }

    [Fact]
    public void Policy_from_config_uses_K_and_derives_T()
    {
        var p = HealthTrialPolicy.From(new HealthCheck { IntervalMs = 1000, PassesToConfirm = 3, TimeoutMs = 200 });
        Assert.Equal(3, p.PassesRequired);
        Assert.Equal(TimeSpan.FromSeconds(9), p.Window);
        Assert.Equal(TimeSpan.FromSeconds(5), HealthTrialPolicy.From(new HealthCheck { IntervalMs = 100, PassesToConfirm = 3 }).Window);
    }
}
