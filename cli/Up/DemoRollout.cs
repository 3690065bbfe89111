using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Fleet;
using AtymSecure.Runtime.Health;

namespace AtymSecure.Cli.Up;

/// <summary>
/// The story <c>atym up</c> shows a newcomer: the fleet enrols; 1.0.0 goes to every device; 1.1.0 rolls out in waves (2
/// canaries, half, all), each wave waiting for its devices' verdicts; 1.2.0, whose health probe always fails, goes to 2
/// canaries, they revert by themselves, and the rollout halts — no other device is ever offered it. Verdicts come from the
/// devices' own status (bootloader + runtime). Every step is idempotent, so a second run on the same folder resumes: devices
/// already on a version are not offered it again, releases are reused.
/// </summary>
internal sealed class DemoRollout(DemoOperator operations, FleetSimulator fleet, IReadOnlyList<string> references, IReadOnlyList<string> deviceClasses,
    Action<string> say)
{
    public const string Container = "sensor-filter";

    /// <summary>How long one wave may take before the demo stops waiting for it (a stuck device is then reported).</summary>
    public TimeSpan WaveTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public async Task RunAsync(CancellationToken ct)
    {
        // Enrolled and powered on: a resumed device's status (what its flash holds) is known before anything is offered.
        await UntilAsync(() => fleet.Devices.All(d => d.Enrolled && d.Status?.Running is not null), "every device to enrol", ct).ConfigureAwait(false);
        say($"{fleet.Devices.Count} devices enrolled");
        var ids = fleet.Devices.Select(d => d.DeviceId!).ToList();

        var v1 = await operations.ReleaseAsync(references[0], "1.0.0", deviceClasses, ct).ConfigureAwait(false);
        say($"release {v1}: {Container} 1.0.0, compiled for {string.Join(", ", deviceClasses)}");
        if (!await WaveAsync(v1, "1.0.0", "all devices", ids, null, ct).ConfigureAwait(false)) return;

        var v11 = await operations.ReleaseAsync(references[1], "1.1.0", deviceClasses, ct).ConfigureAwait(false);
        say($"release {v11}: {Container} 1.1.0 — rolling out: 2 canaries, then 50%, then 100%");
        var half = Math.Max(2, ids.Count / 2);
        foreach (var (name, wave) in new[] { ("canary", ids.Take(2)), ("wave 50%", ids.Take(half)), ("wave 100%", ids) })
            if (!await WaveAsync(v11, "1.1.0", name, [.. wave], v1, ct).ConfigureAwait(false)) return;

        var v12 = await operations.ReleaseAsync(references[2], "1.2.0", deviceClasses, ct).ConfigureAwait(false);
        say($"release {v12}: {Container} 1.2.0 — rolling out: 2 canaries first");
        if (await WaveAsync(v12, "1.2.0", "canary", [.. ids.Take(2)], v11, ct).ConfigureAwait(false))
            say("1.2.0 passed its canaries (unexpected for the bad sample); not rolling it further");
        say($"demo done: 1.2.0 never offered to the other {ids.Count - 2} devices; Ctrl+C stops");
    }

    /// <summary>
    /// Offers the release to the wave's devices not yet holding it; true when all of them confirm. On any failure the rollout
    /// halts (false) and the failed devices are assigned <paramref name="rollback"/> again, the release they reverted to, so
    /// the server stops offering them the bad one.
    /// </summary>
    private async Task<bool> WaveAsync(string releaseId, string version, string name, IReadOnlyList<string> wave, string? rollback, CancellationToken ct)
    {
        var pending = wave.Where(id => Verdict(id, version) is null).ToList();
        if (pending.Count > 0) await operations.DeliverAsync(releaseId, pending, ct).ConfigureAwait(false);
        say($"{version} {name}: offered to {pending.Count} device(s), {wave.Count - pending.Count} already decided");
        var decided = await UntilAsync(() => wave.All(id => Verdict(id, version) is not null), $"{version} {name} to be decided", ct, WaveTimeout).ConfigureAwait(false);
        var failed = wave.Where(id => Verdict(id, version) == false).ToList();
        if (failed.Count > 0)
        {
            var reasons = failed.Select(id => Device(id)?.Status?.Trials.LastOrDefault(t => t.Version == version && t.Verdict == TrialVerdict.Failed)?.Reason).OfType<string>().Distinct();
            say($"HALTED rollout of {version} at {name}: {failed.Count} of {wave.Count} device(s) reverted ({string.Join("; ", reasons)})");
            if (rollback is not null)
            {
                await operations.DeliverAsync(rollback, failed, ct).ConfigureAwait(false);
                say($"rolled back: {failed.Count} device(s) assigned {rollback} again, the version they reverted to");
            }
            return false;
        }
        if (!decided)
        {
            say($"HALTED rollout of {version} at {name}: no verdict within {WaveTimeout.TotalMinutes:0} min from {string.Join(", ", wave.Where(id => Verdict(id, version) is null))}");
            return false;
        }
        say($"{version} {name}: all {wave.Count} confirmed");
        return true;
    }

    private SimulatedDeviceView? Device(string id) => fleet.Devices.FirstOrDefault(d => d.DeviceId == id);

    private bool? Verdict(string deviceId, string version) => Device(deviceId)?.Status is { } status ? VerdictOf(status, version) : null;

    /// <summary>
    /// What a device's status says of <paramref name="version"/>: true = confirmed (this version or a later one: a resumed
    /// demo never offers an older version again), false = its trial failed (reverted), null = not decided yet. A trial in
    /// progress leaves open only the version on trial: a device stopped mid-trial of a later version still holds this one
    /// decided (before, a resumed demo offered such a device the older version again — a downgrade).
    /// </summary>
    internal static bool? VerdictOf(DeviceStatus status, string version)
    {
        ArgumentNullException.ThrowIfNull(status);
        var container = status.Containers.FirstOrDefault(c => c.Name == Container);
        var onTrial = container?.State is ContainerState.Pending or ContainerState.TrialBooted ? container.VersionIn(container.TrialSlot) : null;
        if (container?.VersionIn(container.ConfirmedSlot) is { } confirmed && Version.Parse(confirmed) >= Version.Parse(version) && onTrial != version)
            return true;
        if (status.Trials.Any(t => t.Container == Container && t.Version == version && t.Verdict == TrialVerdict.Failed)) return false;
        return null;
    }

    private static async Task<bool> UntilAsync(Func<bool> condition, string what, CancellationToken ct, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromMinutes(5));
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline) return false;
            // The devices' state changes on their own threads; this reads it every half second (no event to await across them).
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
        }
        return true;
    }
}
