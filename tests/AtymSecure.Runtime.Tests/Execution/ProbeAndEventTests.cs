using System.Collections.Concurrent;
using AtymSecure.Formats.Container;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Engines;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Tests.Support;

namespace AtymSecure.Runtime.Tests.Execution;

/// <summary>
/// Every probe completes and state-change handlers cannot deadlock the supervisor: the guarantees a health
/// trial waits on. Bounded waits here detect a hang (a generous bound, not a timing assertion).
/// </summary>
public sealed class ProbeAndEventTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private const string Healthy = """
        (module (memory (export "memory") 1 1)
          (func (export "atym_step") (result i32) (i32.const 0))
          (func (export "atym_health") (result i32) (i32.const 0)))
        """;

    private const string TrapsAtFirstStep = """
        (module (memory (export "memory") 1 1)
          (func (export "atym_step") (result i32) unreachable)
          (func (export "atym_health") (result i32) (i32.const 0)))
        """;

    private const string ProbeTraps = """
        (module (memory (export "memory") 1 1)
          (func (export "atym_step") (result i32) (i32.const 0))
          (func (export "atym_health") (result i32) unreachable))
        """;

    private readonly TestDevice _device = new();

    private static ContainerSpec Spec(string name, string wat, RestartPolicy? restart = null) =>
        TestSpecs.Spec(TestSpecs.Config(name, health: new HealthCheck { IntervalMs = 100, PassesToConfirm = 1 }, restart: restart), TestSpecs.Wat(name, wat));

    [Fact]
    public void Changed_handlers_run_without_the_supervisor_lock_held()
    {
        // What a health trial does: its handler takes the trial's lock while another thread, holding that
        // lock, reads History. If handlers ran under the supervisor's lock this would never finish; here
        // each handler reads History from another thread and waits for it.
        using var runtime = _device.Runtime();
        var c = runtime.Create(Spec("events", Healthy));
        var readable = new ConcurrentQueue<(ContainerRunState, bool)>();
        c.Changed += e => readable.Enqueue((e.State, HistoryReadableFromAnotherThread(c)));
        c.Start();
        Wait.Until(() => !readable.IsEmpty, "the started event");
        c.Pause();
        c.Resume();
        Assert.True(c.Stop(Bound));

        Assert.Equal([ContainerRunState.Running, ContainerRunState.Paused, ContainerRunState.Running, ContainerRunState.Stopped], readable.Select(r => r.Item1));
        Assert.All(readable, r => Assert.True(r.Item2, $"History was not readable while the {r.Item1} handler ran"));
    }

    [Fact]
    public void A_probe_asked_for_right_after_start_is_served_by_the_first_run()
    {
        // The container thread may not have begun when Start returns; the probe must wait for it, not fail.
        using var runtime = _device.Runtime();
        for (var i = 0; i < 20; i++)
        {
            var c = runtime.Start(Spec($"early-{i}", Healthy));
            var result = Answered(c.Probe(), "a probe right after start");
            Assert.True(result.Passed, $"container {i}: {result.Detail}");
            Assert.True(runtime.Remove(c.Name, Bound));
        }
    }

    [Fact]
    public void A_probe_whose_call_traps_is_answered_after_the_run_outcome_is_recorded()
    {
        using var runtime = _device.Runtime();
        var c = runtime.Start(Spec("trapping-probe", ProbeTraps));
        var result = Answered(c.Probe(), "the probe whose call trapped");
        Assert.False(result.Passed);
        Assert.Contains("health probe", result.Detail, StringComparison.Ordinal);
        // By the time the failed probe arrives, the reason is already in the history.
        Assert.Contains(c.History, e => e.Outcome is { Kind: OutcomeKind.Trapped });
        Assert.Equal(ContainerRunState.Error, c.State);
    }

    [Fact]
    public void Probes_between_runs_and_after_the_last_run_fail_at_once_with_the_reason()
    {
        var backoff = TimeSpan.FromMilliseconds(4321);
        using var clock = new HoldingClock(_device.Clock, backoff);
        var services = new DeviceServices(clock, _device.Log, _device.Sensors, _device.Gpio, _device.Bus, _device.Kv);
        using var runtime = new ContainerRuntime(EngineProfile.HostWasm(), services);
        var restart = new RestartPolicy { Mode = RestartMode.OnFailure, MaxRetries = 0, BackoffInitialMs = 4321 };
        var c = runtime.Start(Spec("between-runs", TrapsAtFirstStep, restart));
        Assert.True(clock.Entered.Wait(Bound), "the supervisor never reached its restart backoff");

        var between = AnsweredAtOnce(c.Probe(), "a probe between runs");
        Assert.False(between.Passed);
        Assert.Contains("created: restarting in 4321 ms", between.Detail, StringComparison.Ordinal);

        Assert.True(c.Stop(Bound));
        var after = AnsweredAtOnce(c.Probe(), "a probe after the last run");
        Assert.False(after.Passed);
        Assert.Contains("stopped during restart backoff", after.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_probe_of_a_paused_container_fails_at_once_and_passes_again_after_resume()
    {
        using var runtime = _device.Runtime();
        var c = runtime.Start(Spec("paused", Healthy));
        Wait.Until(() => c.State == ContainerRunState.Running, "the container to run");
        c.Pause();
        var paused = AnsweredAtOnce(c.Probe(), "a probe while paused");
        Assert.False(paused.Passed);
        Assert.Contains("paused", paused.Detail, StringComparison.Ordinal);
        c.Resume();
        var resumed = Answered(c.Probe(), "a probe after resume");
        Assert.True(resumed.Passed, resumed.Detail);
    }

    [Fact]
    public void A_probe_left_by_a_throwing_call_stays_pending_until_the_run_ends_then_fails()
    {
        using var control = new RunControl();
        var served = control.RequestProbe();
        var crashed = control.RequestProbe();
        var calls = 0;
        Assert.Throws<InvalidOperationException>(() => control.ServeProbes(() =>
            ++calls == 1 ? new ProbeResult(true, "ok") : throw new InvalidOperationException("trap in probe")));
        Assert.True(AnsweredAtOnce(served, "the served probe").Passed);
        Assert.False(crashed.IsCompleted);

        var queued = control.RequestProbe();
        control.FailPendingProbes("container run ended: trapped");
        Assert.All([crashed, queued], p => Assert.Equal(new ProbeResult(false, "container run ended: trapped"), AnsweredAtOnce(p, "a pending probe")));
    }

    private static ProbeResult Answered(Task<ProbeResult> probe, string what)
    {
        Assert.True(probe.Wait(Bound), $"{what} was never answered");
        return probe.Result;
    }

    private static ProbeResult AnsweredAtOnce(Task<ProbeResult> probe, string what)
    {
        Assert.True(probe.IsCompletedSuccessfully, $"{what} was not answered at once");
        return probe.Result;
    }

    private static bool HistoryReadableFromAnotherThread(ContainerSupervisor c) => Task.Run(() => c.History.Count).Wait(Bound);

    public void Dispose() => _device.Dispose();
}
