using System.Text.Json;
using AtymSecure.OtaRollouts.Engine;

namespace AtymSecure.Cli.Up;

/// <summary>
/// The story <c>atym up</c> shows a newcomer, told by the OTA server's rollout engine: the fleet enrols; then each
/// <see cref="DemoStage"/> in turn is one server deployment (<see cref="DemoPlan"/>), created and watched
/// (<see cref="DeploymentWatcher"/>) until it completes or halts — the canaries, waves, soak, halt rule and device timeout
/// are the server's, and so is every verdict. A stage that ends otherwise than expected (a good version halting, an
/// operator cancelling) ends the story there, saying so. Resuming is finding, not redoing: a stage whose version already
/// has a deployment (the newest that is not a rollback) watches that one, or reports it finished, and creates nothing.
/// </summary>
internal sealed class DemoRollout(DemoOperator operations, DeploymentWatcher watcher, Action<string> say)
{
    /// <summary>How long the fleet may take to enrol before the story gives up (say, a device that cannot reach the server).</summary>
    public TimeSpan EnrolmentTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan EnrolmentPoll { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Waits for <paramref name="devices"/> enrolled devices in the demo's group, then runs <paramref name="stages"/>; false when it stopped early.</summary>
    public async Task<bool> RunAsync(int devices, IReadOnlyList<DemoStage> stages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (!await EnrolledAsync(devices, ct).ConfigureAwait(false)) return false;
        JsonElement? last = null;
        foreach (var stage in stages)
        {
            var watched = await StageAsync(stage, ct).ConfigureAwait(false);
            last = watched.View;
            var expected = stage.ExpectedToHalt ? DeploymentEnd.Halted : DeploymentEnd.Completed;
            if (watched.End == expected) continue;
            say(watched.End == DeploymentEnd.Completed
                ? $"{stage.Version} did not halt (unexpected for the bad sample); the demo stops here"
                : $"the demo stops here: {stage.Version} {Said(watched.End)}, not {Said(expected)}");
            return false;
        }
        if (last is { } bad && stages[^1].ExpectedToHalt)
        {
            var offered = bad.GetProperty("devices").EnumerateArray().Count(d => d.GetProperty("attempts").GetInt32() > 0);
            var others = bad.GetProperty("devices").GetArrayLength() - offered - bad.GetProperty("alreadyOnVersion").GetInt32();
            say($"demo done: {stages[^1].Version} was offered to {offered} canary device(s) only, never to the other {others}; Ctrl+C stops");
        }
        else say("demo done; Ctrl+C stops");
        return true;
    }

    private async Task<bool> EnrolledAsync(int devices, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + EnrolmentTimeout;
        int enrolled;
        // Devices enrol on their own threads (or processes); the server's device list is where that shows.
        while ((enrolled = await operations.EnrolledAsync(ct).ConfigureAwait(false)) < devices)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                say($"gave up after {RolloutText.Duration(EnrolmentTimeout)} waiting for {devices} devices to enrol in group {DemoPlan.Group}: {enrolled} did " +
                    "(a fleet enrolled by an older atym up is in no group: start on a fresh folder, --data DIR)");
                return false;
            }
            await Task.Delay(EnrolmentPoll, ct).ConfigureAwait(false);
        }
        say($"{enrolled} devices enrolled");
        return true;
    }

    private async Task<WatchedDeployment> StageAsync(DemoStage stage, CancellationToken ct)
    {
        string id;
        if (await operations.FindDeploymentAsync(DemoPlan.Container, stage.Version, ct).ConfigureAwait(false) is { } found)
        {
            id = found.GetProperty("id").GetString()!;
            say($"{stage.Version}: deployment {id} exists ({found.GetProperty("status").GetString()}): watching it, creating none");
        }
        else
        {
            var created = await operations.DeployAsync(stage.Request, ct).ConfigureAwait(false);
            id = created.GetProperty("id").GetString()!;
            say($"{stage.Version}: deployment {id} created ({stage.Request.ReleaseId}): {stage.Plan}");
        }
        return await watcher.WatchAsync(id, ct).ConfigureAwait(false);
    }

    private static string Said(DeploymentEnd end) => end switch
    {
        DeploymentEnd.Completed => "completed",
        DeploymentEnd.Halted => "halted",
        DeploymentEnd.Stopped => "stopped",
        _ => "still running when the watcher gave up",
    };
}
