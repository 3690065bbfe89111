using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// Splits a deployment's target set into waves. Devices already running the version are wave -1 (done, never
/// offered, not counted by the halt rule). The canaries (wave 0 when the plan has any) are taken round-robin over
/// the devices' groups, so two canaries land in two groups when there are two; the rest keep that interleaved order
/// and are cut at each wave's cumulative size (<see cref="WaveStep"/>); the last wave always reaches every device.
/// Deterministic: the same fleet gives the same waves on every replica and after every restart.
/// </summary>
public static class WavePlanner
{
    public static (EquatableList<DeviceRollout> Devices, int WaveCount) Plan(DeploymentSpec spec, IReadOnlyList<FleetDevice> fleet)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(fleet);
        var members = Members(spec, fleet);
        var already = members.Where(d => d.Latest?.ConfirmedVersion == spec.Version).ToList();
        var order = Interleave(members.Except(already).ToList());
        var canary = Math.Min(spec.Plan.Canary, order.Count);
        var cuts = new List<int>();
        if (canary > 0) cuts.Add(canary);
        var rest = order.Count - canary;
        foreach (var step in spec.Plan.Waves)
        {
            var size = step.Count ?? (int)Math.Ceiling(rest * (step.Percent ?? 100) / 100.0);
            var cut = canary + Math.Clamp(size, 0, rest);
            if (cut > (cuts.Count > 0 ? cuts[^1] : 0)) cuts.Add(cut);
        }
        if ((cuts.Count > 0 ? cuts[^1] : 0) < order.Count) cuts.Add(order.Count);
        var devices = new List<DeviceRollout>();
        devices.AddRange(already.Select(d => Rollout(d, -1, DeviceRolloutState.Succeeded) with { Reason = $"already on {spec.Version}" }));
        for (var i = 0; i < order.Count; i++) devices.Add(Rollout(order[i], cuts.FindIndex(c => i < c), DeviceRolloutState.Pending));
        return (new EquatableList<DeviceRollout>(devices), Math.Max(1, cuts.Count));
    }

    /// <summary>The fleet's devices in the target set, by id.</summary>
    public static List<FleetDevice> Members(DeploymentSpec spec, IReadOnlyList<FleetDevice> fleet) =>
        [.. fleet.Where(d => spec.Target.Matches(d.Id, d.DeviceClass, d.Groups, d.Tags)).DistinctBy(d => d.Id).OrderBy(d => d.Id, StringComparer.Ordinal)];

    /// <summary>A device joining later (continuous targeting), in <paramref name="wave"/>.</summary>
    public static DeviceRollout Joining(DeploymentSpec spec, FleetDevice device, int wave) =>
        device.Latest?.ConfirmedVersion == spec.Version
            ? Rollout(device, -1, DeviceRolloutState.Succeeded) with { Reason = $"already on {spec.Version}" }
            : Rollout(device, wave, DeviceRolloutState.Pending);

    private static DeviceRollout Rollout(FleetDevice d, int wave, DeviceRolloutState state) =>
        new(d.Id, wave, state, d.Groups, d.Latest?.ConfirmedVersion, LastReport: d.Latest?.Sequence ?? 0,
            InstallMark: d.Latest?.InstallMark, TrialMark: d.Latest?.TrialMark, RefusalMark: d.Latest?.RefusalMark);

    /// <summary>Round-robin over groups (a device's first group by name; none = the group ""), ids in order within each.</summary>
    private static List<FleetDevice> Interleave(List<FleetDevice> devices)
    {
        var queues = devices.GroupBy(d => d.Groups.OrderBy(g => g, StringComparer.Ordinal).FirstOrDefault() ?? "")
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new Queue<FleetDevice>(g)).ToList();
        var order = new List<FleetDevice>(devices.Count);
        while (order.Count < devices.Count)
            foreach (var q in queues)
                if (q.Count > 0) order.Add(q.Dequeue());
        return order;
    }
}
