using AtymSecure.Primitives;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.Runtime.Health;

/// <summary>
/// Runs a <see cref="HealthTrial"/> against a running trial container: probes it every interval on the
/// device clock, feeds its state changes in, and hands the verdict to <see cref="ITrialDecision"/> exactly
/// once (confirm on pass; reject on fail, after which the caller starts the old version again).
/// </summary>
public sealed class HealthTrialRunner
{
    private readonly ContainerSupervisor _container;
    private readonly ITrialDecision _decision;
    private readonly DeviceServices _services;

    /// <param name="services">The device's clock (probe intervals, the trial's window) and log.</param>
    public HealthTrialRunner(ContainerSupervisor container, HealthTrialPolicy policy, ITrialDecision decision, DeviceServices services)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        _decision = decision ?? throw new ArgumentNullException(nameof(decision));
        _services = services ?? throw new ArgumentNullException(nameof(services));
        Trial = new HealthTrial(container.Name, policy, services.Clock);
    }

    public HealthTrial Trial { get; }

    /// <summary>Blocks until the trial is decided (or cancelled: then nothing is decided and Pending is returned).</summary>
    public TrialVerdict Run(CancellationToken cancel)
    {
        // Guards Trial, which is fed from this thread and from the container's event handler. Never held
        // while calling into the supervisor (a lock order gate → supervisor could deadlock against it).
        var gate = new Lock();
        void OnChanged(ContainerEvent e)
        {
            lock (gate) Trial.OnContainerEvent(e);
        }
        _container.Changed += OnChanged;
        try
        {
            // Events raised before we subscribed (a very early trap) are in the history.
            CatchUp(gate);
            while (Pending(gate))
            {
                var interval = Trial.Policy.PassesRequired == 0 ? Trial.Policy.Window / 10 : Trial.Policy.Interval;
                _services.Clock.Sleep(interval, cancel);
                lock (gate) Trial.CheckDeadline();
                if (!Pending(gate) || Trial.Policy.PassesRequired == 0) continue;
                // Served at the container's next scheduling point, or failed at once when there is no run to
                // serve it (between runs, paused, ended) or when the run ends first. The bound is a last
                // resort against a runtime bug, not part of the trial's logic.
                var probe = _container.Probe();
                var result = probe.Wait(ProbeWaitLimit, cancel)
                    ? probe.Result
                    : new ProbeResult(false, $"probe not served within {ProbeWaitLimit.TotalSeconds:F0} s");
                // A probe failed because the run ended completes after that run's outcome is in the history:
                // apply it first, so the trial fails with why the run ended rather than "no run to probe".
                if (!result.Passed) CatchUp(gate);
                lock (gate) Trial.OnProbe(result);
            }
        }
        catch (OperationCanceledException)
        {
            return TrialVerdict.Pending;
        }
        finally
        {
            _container.Changed -= OnChanged;
        }

        var level = Trial.Verdict == TrialVerdict.Passed ? LogLevel.Info : LogLevel.Error;
        _services.Log.Write(new LogRecord(_services.Uptime, _container.Name, level, "health", $"trial of {_container.Spec.Version} {Trial.Verdict.ToString().ToLowerInvariant()}: {Trial.Reason}"));
        if (Trial.Verdict == TrialVerdict.Passed) _decision.Confirm(_container.Name);
        else _decision.Reject(_container.Name, Trial.Reason);
        return Trial.Verdict;
    }

    private static TimeSpan ProbeWaitLimit => TimeSpan.FromSeconds(30);

    /// <summary>Feeds the container's history to the trial (events seen twice change nothing: a verdict is final).</summary>
    private void CatchUp(Lock gate)
    {
        var history = _container.History;
        lock (gate)
        {
            foreach (var e in history) Trial.OnContainerEvent(e);
        }
    }

    private bool Pending(Lock gate)
    {
        lock (gate) return Trial.Verdict == TrialVerdict.Pending;
    }
}
