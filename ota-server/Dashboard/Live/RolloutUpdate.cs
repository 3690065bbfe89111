using AtymSecure.OtaRollouts.Endpoints;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Live;

/// <summary>A deployment's devices counted by what the rollout page plots.</summary>
public sealed record RolloutTotals(int Pending, int Downloading, int Trial, int Confirmed, int Failed)
{
    public static RolloutTotals Of(IEnumerable<WaveView> waves) => waves.Aggregate(new RolloutTotals(0, 0, 0, 0, 0), (t, w) =>
        new RolloutTotals(t.Pending + w.Pending, t.Downloading + w.Downloading, t.Trial + w.Trial, t.Confirmed + w.Confirmed, t.Failed + w.Failed));
}

/// <summary>One point of a deployment's history: when (Unix milliseconds) and its totals then.</summary>
public sealed record RolloutSample(long At, RolloutTotals Totals);

/// <summary>A failed device the halt names, with the reason it reported (the health probe's).</summary>
public sealed record HaltLine(string DeviceId, string Kind, string Reason);

/// <summary>
/// What the rollout page shows and its live updates carry (one server-sent event each): status, waves and totals, the
/// halt, the buttons that apply now (the server still decides: the engine refuses an action the state does not allow),
/// and <see cref="ChangedAt"/>, when the server published the state (Unix ms), so the page can print how long it took
/// to arrive.
/// </summary>
public sealed record RolloutUpdate(
    string Id,
    string Container,
    string Version,
    string Status,
    int Wave,
    int WaveCount,
    IReadOnlyList<WaveView> Waves,
    RolloutTotals Totals,
    string? HaltRule,
    int? HaltWave,
    IReadOnlyList<HaltLine> HaltDevices,
    string? RolledBackBy,
    string? RollbackOf,
    IReadOnlyList<string> Actions,
    long ChangedAt)
{
    /// <summary>Every operator action a rollout page can offer, in the order of its buttons.</summary>
    public static readonly IReadOnlyList<string> AllActions = ["approve", "pause", "resume", "cancel", "rollback"];

    public static RolloutUpdate Of(DeploymentState state, DateTimeOffset changedAt)
    {
        ArgumentNullException.ThrowIfNull(state);
        var view = DeploymentView.Of(state, withDevices: false);
        var waves = view.Waves.Where(w => w.Index >= 0).ToList();
        return new RolloutUpdate(state.Id, view.Container, view.Version, view.Status, view.Wave, view.WaveCount, waves, RolloutTotals.Of(waves),
            state.Halt?.Rule, state.Halt?.Wave, [.. (state.Halt?.Devices ?? []).Select(d => new HaltLine(d.DeviceId, RolloutText.Kind(d.Kind), d.Reason))],
            state.RolledBackBy, state.Spec.RollbackOf, ActionsOf(state), changedAt.ToUnixTimeMilliseconds());
    }

    /// <summary>The operator actions the engine accepts in this state (RolloutEngine's own checks).</summary>
    public static IReadOnlyList<string> ActionsOf(DeploymentState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var actions = new List<string>();
        if (state.Status == DeploymentStatus.AwaitingApproval) actions.Add("approve");
        if (state.Status is DeploymentStatus.Running or DeploymentStatus.Scheduled) actions.Add("pause");
        if (state.Status == DeploymentStatus.Paused) actions.Add("resume");
        if (state.IsActive || state.Status == DeploymentStatus.Halted) actions.Add("cancel");
        if (state.Status != DeploymentStatus.RolledBack && state.Devices.Any(d => d.Wave >= 0 && d.State is DeviceRolloutState.Succeeded or DeviceRolloutState.Trial))
            actions.Add("rollback");
        return actions;
    }
}
