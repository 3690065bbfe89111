using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Engines;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Health;

namespace AtymSecure.DeviceAgent.Trials;

/// <summary>
/// One device's runtime side, composed from parts behind interfaces so a fleet simulation can embed many
/// in one process: the device services (clock, drivers, bus, storage), the container runtime, and the
/// trial decision sink (the bootloader). Confirmed versions just run; a trial version runs under a
/// <see cref="HealthTrialRunner"/> and on failure is stopped, rejected, and the previous version started again.
/// </summary>
public sealed class DeviceHost : IDisposable
{
    public DeviceHost(EngineProfile profile, DeviceServices services, ITrialDecision decisions, RuntimeOptions? options = null)
    {
        Services = services ?? throw new ArgumentNullException(nameof(services));
        Decisions = decisions ?? throw new ArgumentNullException(nameof(decisions));
        Runtime = new ContainerRuntime(profile, services, options);
    }

    public DeviceServices Services { get; }

    public ITrialDecision Decisions { get; }

    public ContainerRuntime Runtime { get; }

    /// <summary>Starts a confirmed container version.</summary>
    public ContainerSupervisor Run(ContainerSpec spec) => Runtime.Start(spec);

    /// <summary>
    /// Runs <paramref name="trial"/> until its health trial is decided. Passed: it is confirmed and keeps running.
    /// Failed: it is stopped, rejected, and <paramref name="previous"/> (the confirmed version, if any) starts again.
    /// </summary>
    public TrialResult RunTrial(ContainerSpec trial, ContainerSpec? previous, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (previous is not null && previous.Name != trial.Name)
            throw new ArgumentException($"previous version is of '{previous.Name}', trial is of '{trial.Name}'", nameof(previous));
        Runtime.Remove(trial.Name, TimeSpan.FromSeconds(10));
        ContainerSupervisor supervisor;
        try
        {
            supervisor = Runtime.Start(trial with { IsTrial = true });
        }
        catch (Exception e) when (e is AtymSecure.Runtime.Artifacts.ArtifactIncompatibleException or Wasmtime.WasmtimeException)
        {
            // Code that does not even load fails its trial at once.
            Decisions.Reject(trial.Name, e.Message);
            return Fallback(trial, previous, $"does not load: {e.Message}");
        }
        var runner = new HealthTrialRunner(supervisor, HealthTrialPolicy.From(trial.Config.HealthCheck), Decisions, Services);
        var verdict = runner.Run(cancel);
        if (verdict == TrialVerdict.Passed)
            return new TrialResult(trial.Name, trial.Version, verdict, runner.Trial.Reason, trial.Version);
        if (verdict == TrialVerdict.Pending)
            return new TrialResult(trial.Name, trial.Version, verdict, "trial cancelled before a verdict", trial.Version);
        Runtime.Remove(trial.Name, TimeSpan.FromSeconds(10));
        return Fallback(trial, previous, runner.Trial.Reason);
    }

    private TrialResult Fallback(ContainerSpec trial, ContainerSpec? previous, string reason)
    {
        if (previous is null) return new TrialResult(trial.Name, trial.Version, TrialVerdict.Failed, reason, null);
        Runtime.Start(previous with { IsTrial = false });
        return new TrialResult(trial.Name, trial.Version, TrialVerdict.Failed, reason, previous.Version);
    }

    public void Dispose() => Runtime.Dispose();
}
