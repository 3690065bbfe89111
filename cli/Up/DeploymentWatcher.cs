using System.Text.Json;
using AtymSecure.Cli.Ota;
using AtymSecure.OtaRollouts.Engine;

namespace AtymSecure.Cli.Up;

/// <summary>
/// Follows one deployment through the operator API until it ends, telling what the server decides: the headline when the
/// status or the wave changes (soaking included), one line per started wave whenever its counts change, and the end — <c>1.1.0
/// completed: …</c>, or <c>1.2.0 HALTED at canary …</c> with each failed device and its probe's reason. The lines are
/// <c>atym ota status</c>'s (<see cref="DeploymentTables"/>). The rollout's state lives on the server, so this polls it
/// (every <see cref="Every"/>); past <see cref="Timeout"/> it gives up, saying what it waited for and where the deployment was.
/// </summary>
internal sealed class DeploymentWatcher(OtaApiClient api, Action<string> say)
{
    /// <summary>Longer than the demo's device timeout (10 min): by then the server has failed a silent device, which halts
    /// the demo's rollouts (halt at 1 failure), so only a server that stopped deciding outlasts it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan Every { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<WatchedDeployment> WatchAsync(string id, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + Timeout;
        string? headline = null;
        var waves = new Dictionary<int, string>();
        while (true)
        {
            var d = await api.SendAsync(HttpMethod.Get, $"api/v1/deployments/{Uri.EscapeDataString(id)}", null, ct).ConfigureAwait(false);
            var version = d.GetProperty("version").GetString();
            if (DeploymentTables.Headline(d) is var now && now != headline) say(headline = now);
            foreach (var wave in d.GetProperty("waves").EnumerateArray().Where(w => w.GetProperty("index").GetInt32() <= d.GetProperty("wave").GetInt32()))
            {
                var line = $"{version} {DeploymentTables.WaveLine(wave)}";
                if (waves.GetValueOrDefault(wave.GetProperty("index").GetInt32()) == line) continue;
                waves[wave.GetProperty("index").GetInt32()] = line;
                say(line);
            }
            if (EndOf(d) is { } end)
            {
                foreach (var line in EndLines(d, end)) say(line);
                return new WatchedDeployment(end, d);
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                say($"gave up after {RolloutText.Duration(Timeout)} waiting for deployment {id} ({version}) to finish its waves or halt; it is {DeploymentTables.Headline(d)}");
                return new WatchedDeployment(DeploymentEnd.GaveUp, d);
            }
            await Task.Delay(Every, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Where <paramref name="d"/> ended, or null while it still runs. A continuous deployment never completes (devices may
    /// still join), so it counts as completed once its last wave is reached and no device of any wave is still pending,
    /// downloading or on trial — what the server's completed means for a snapshot deployment.
    /// </summary>
    internal static DeploymentEnd? EndOf(JsonElement d) => d.GetProperty("status").GetString() switch
    {
        "completed" => DeploymentEnd.Completed,
        "halted" => DeploymentEnd.Halted,
        "cancelled" or "ended" or "rolled-back" => DeploymentEnd.Stopped,
        "running" when d.GetProperty("wave").GetInt32() + 1 >= d.GetProperty("waveCount").GetInt32() && d.GetProperty("waves").EnumerateArray()
            .All(w => w.GetProperty("pending").GetInt32() + w.GetProperty("downloading").GetInt32() + w.GetProperty("trial").GetInt32() == 0) => DeploymentEnd.Completed,
        _ => null,
    };

    private static IEnumerable<string> EndLines(JsonElement d, DeploymentEnd end)
    {
        var version = d.GetProperty("version").GetString();
        var waves = d.GetProperty("waves").EnumerateArray().ToList();
        int Sum(string name) => waves.Sum(w => w.GetProperty(name).GetInt32());
        switch (end)
        {
            case DeploymentEnd.Completed:
                var already = d.GetProperty("alreadyOnVersion").GetInt32() is var a and > 0 ? $", {a} already on it" : "";
                // Devices that confirmed a later deployment's version since are that one's now (a resumed demo sees 1.0.0 so).
                var moved = Sum("superseded") is var m and > 0 ? $", {m} since taken over by a later deployment" : "";
                var continuous = d.GetProperty("status").GetString() == "running" ? " (continuous: devices joining the target set later get it too)" : "";
                yield return $"{version} completed: {Sum("confirmed")} confirmed, {Sum("failed")} failed of {Sum("devices")} device(s){moved}{already}{continuous}";
                break;
            case DeploymentEnd.Halted:
                foreach (var line in DeploymentTables.HaltLines(d, d.GetProperty("halt"))) yield return line.StartsWith(' ') ? line : $"{version} {line}";
                break;
            default:
                yield return $"{version} stopped: {DeploymentTables.Headline(d)}";
                break;
        }
    }
}
