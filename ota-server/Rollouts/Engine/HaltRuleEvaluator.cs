using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// The halt rule, per wave (the devices already on the version are in no wave): a wave halts the deployment when its
/// failed devices reach <see cref="HaltRule.MaxFailures"/>, or when at least <see cref="HaltRule.MinFinished"/> of its
/// devices finished (succeeded or failed) and the failed share reaches <see cref="HaltRule.MaxFailureRatio"/>. Every
/// failure kind counts; the report gives the counts by kind and each failed device with its reason.
/// </summary>
public static class HaltRuleEvaluator
{
    public static HaltReport? Evaluate(DeploymentState state, IReadOnlyList<DeviceRollout> devices, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(devices);
        var rule = state.Spec.Halt;
        for (var wave = 0; wave <= state.Wave; wave++)
        {
            var inWave = devices.Where(d => d.Wave == wave).ToList();
            var failed = inWave.Where(d => d.State == DeviceRolloutState.Failed).ToList();
            if (failed.Count == 0) continue;
            var finished = failed.Count + inWave.Count(d => d.State == DeviceRolloutState.Succeeded);
            string? tripped = null;
            if (rule.MaxFailures is { } max && failed.Count >= max)
                tripped = $"{failed.Count} failed in {RolloutText.WaveName(state, wave)} (halt at {max})";
            else if (rule.MaxFailureRatio is { } ratio && finished >= rule.MinFinished && (double)failed.Count / finished >= ratio)
                tripped = $"{failed.Count} of {finished} finished failed in {RolloutText.WaveName(state, wave)} ({RolloutText.Percent((double)failed.Count / finished)}, halt at {RolloutText.Percent(ratio)} once {rule.MinFinished} finished)";
            if (tripped is null) continue;
            var byKind = new EquatableMap<int>(failed.GroupBy(d => RolloutText.Kind(d.Failure ?? FailureKind.InstallFailed))
                .Select(g => KeyValuePair.Create(g.Key, g.Count())));
            return new HaltReport(now, wave, tripped, byKind,
                new EquatableList<FailedDevice>(failed.Select(d => new FailedDevice(d.DeviceId, d.Failure ?? FailureKind.InstallFailed, d.Reason ?? ""))));
        }
        return null;
    }
}
