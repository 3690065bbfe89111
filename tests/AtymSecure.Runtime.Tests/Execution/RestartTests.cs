using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.Execution;

public sealed class RestartTests : IDisposable
{
    private readonly TestDevice _device = new();

    private static RunOutcome Trap(double seconds = 0.1) => new(OutcomeKind.Trapped, null, "unreachable", TimeSpan.FromSeconds(seconds));

    [Fact]
    public void Backoff_grows_exponentially_up_to_the_maximum()
    {
        var t = new RestartTracker(new RestartPolicy { Mode = RestartMode.OnFailure, MaxRetries = 0, BackoffInitialMs = 500, BackoffMaxMs = 3000, BackoffMultiplierPercent = 200 }, crashLoopThreshold: 100);
        var delays = Enumerable.Range(0, 6).Select(_ => t.OnRunEnded(Trap()).Delay.TotalMilliseconds).ToList();
        Assert.Equal([500, 1000, 2000, 3000, 3000, 3000], delays);
    }

    [Fact]
    public void A_stable_run_resets_the_backoff()
    {
        var t = new RestartTracker(new RestartPolicy { Mode = RestartMode.OnFailure, MaxRetries = 0 }, stableRun: TimeSpan.FromSeconds(30));
        t.OnRunEnded(Trap());
        t.OnRunEnded(Trap());
        Assert.Equal(2, t.ConsecutiveFailures);
        var afterStable = t.OnRunEnded(Trap(seconds: 60));
        Assert.Equal(1, t.ConsecutiveFailures);
        Assert.Equal(500, afterStable.Delay.TotalMilliseconds);
    }

    [Fact]
    public void Retry_limit_ends_in_a_reported_crash_loop()
    {
        var t = new RestartTracker(new RestartPolicy { Mode = RestartMode.OnFailure, MaxRetries = 2 });
        Assert.True(t.OnRunEnded(Trap()).Restart);
        Assert.True(t.OnRunEnded(Trap()).Restart);
        var last = t.OnRunEnded(Trap());
        Assert.False(last.Restart);
        Assert.True(last.CrashLoop);
        Assert.Contains("crash loop", last.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unlimited_retries_keep_restarting_but_flag_the_crash_loop()
    {
        var t = new RestartTracker(new RestartPolicy { Mode = RestartMode.Always, MaxRetries = 0 }, crashLoopThreshold: 3);
        var decisions = Enumerable.Range(0, 4).Select(_ => t.OnRunEnded(Trap())).ToList();
        Assert.All(decisions, d => Assert.True(d.Restart));
        Assert.Equal([false, false, true, true], decisions.Select(d => d.CrashLoop));
    }

    [Fact]
    public void Policies_never_and_on_failure_and_permanent_failures()
    {
        var never = new RestartTracker(new RestartPolicy { Mode = RestartMode.Never });
        Assert.False(never.OnRunEnded(Trap()).Restart);
        var onFailure = new RestartTracker(new RestartPolicy { Mode = RestartMode.OnFailure });
        Assert.False(onFailure.OnRunEnded(new RunOutcome(OutcomeKind.Exited, 0, "done", TimeSpan.Zero)).Restart);
        Assert.False(onFailure.OnRunEnded(new RunOutcome(OutcomeKind.LinkFailed, null, "import", TimeSpan.Zero)).Restart);
        var always = new RestartTracker(new RestartPolicy { Mode = RestartMode.Always });
        Assert.True(always.OnRunEnded(new RunOutcome(OutcomeKind.Exited, 0, "done", TimeSpan.Zero)).Restart);
    }

    [Fact]
    public void A_crashing_container_is_restarted_with_backoff_on_virtual_time_then_reported_as_crash_loop()
    {
        using var runtime = _device.Runtime();
        var policy = new RestartPolicy { Mode = RestartMode.OnFailure, MaxRetries = 3, BackoffInitialMs = 1000, BackoffMaxMs = 60_000, BackoffMultiplierPercent = 300 };
        var config = TestSpecs.Config("crasher", restart: policy);
        var wat = "(module (memory (export \"memory\") 1 1) (func (export \"atym_step\") (result i32) unreachable))";
        var c = runtime.Start(TestSpecs.Spec(config, TestSpecs.Wat("crasher", wat)));
        Wait.Until(() => c.IsFinished, "the crash loop to be detected");

        Assert.Equal(ContainerRunState.Error, c.State);
        Assert.True(c.CrashLoop);
        Assert.Equal(3, c.Restarts);
        Assert.Contains("crash loop", c.StatusMessage, StringComparison.Ordinal);
        // 1 s + 3 s + 9 s of backoff passed on the supervisor's (virtual) clock, with no real waiting.
        var history = c.History;
        Assert.True(history[^1].At - history[0].At >= TimeSpan.FromSeconds(13));
        var runs = history.Count(e => e.State == ContainerRunState.Running);
        Assert.Equal(4, runs);
    }

    [Fact]
    public void Stop_during_backoff_ends_as_stopped()
    {
        using var runtime = _device.Runtime();
        var policy = new RestartPolicy { Mode = RestartMode.OnFailure, MaxRetries = 0, BackoffInitialMs = 1000 };
        var c = runtime.Start(TestSpecs.Spec(TestSpecs.Config("c", restart: policy), TestSpecs.Wat("c", "(module (memory (export \"memory\") 1 1) (func (export \"atym_step\") (result i32) unreachable))")));
        Wait.Until(() => c.Restarts >= 2, "a couple of restarts");
        Assert.True(c.Stop(TimeSpan.FromSeconds(30)));
        Assert.Equal(ContainerRunState.Stopped, c.State);
    }

    public void Dispose() => _device.Dispose();
}
