using System.CommandLine;
using AtymSecure.OtaRollouts.Service;

namespace AtymSecure.Cli.Ota;

/// <summary>
/// <c>atym ota deploy RELEASE (--group G | --tag K=V | --class C | --device ID…) [knobs]</c>: one flag per field of
/// <c>POST /api/v1/deployments</c> (<see cref="DeploymentRequest"/>, docs/ota-server.md, Rollouts). Durations,
/// percentages and waves are checked with the server's own grammar at parse time, so a bad flag is refused, naming the
/// flag, before any request. Prints the deployment id (stdout; a summary on stderr), or the API's answer with --json.
/// </summary>
internal static class DeployVerb
{
    public static Command Create()
    {
        var release = new Argument<string>("release") { Description = "Release id (rel-…, from atym ota release)" };
        var group = new Option<string[]>("--group") { Description = "Target the devices of this group (repeatable)" };
        var tag = new Option<string[]>("--tag") { Description = "Target devices carrying this tag, NAME=VALUE (repeatable: all must match)" };
        var deviceClass = new Option<string?>("--class") { Description = "Target devices of this device class" };
        var device = new Option<string[]>("--device") { Description = "Target these devices (repeatable; several ids after one flag too)", AllowMultipleArgumentsPerToken = true };
        var targeting = new Option<string?>("--targeting") { Description = "snapshot (default: the target set as it is now) or continuous (devices joining it later too)" };
        targeting.AcceptOnlyFromAmong("snapshot", "continuous");
        var canary = new Option<int?>("--canary") { Description = "Canary devices first, spread across groups (0-1000; default 0)" };
        var waves = new Option<string?>("--waves") { Description = "Cumulative waves after the canary: counts or percentages, e.g. 10%,50%,100% (default 100%)" };
        var soak = new Option<string?>("--soak") { Description = "Wait after each wave before the next, e.g. 30s (default 0)" };
        var haltFailures = new Option<int?>("--halt-failures") { Description = "Halt when a wave has this many failed devices (default 1)" };
        var haltRatio = new Option<string?>("--halt-ratio") { Description = "Halt when a wave's failed share reaches this, e.g. 20%" };
        var haltMinFinished = new Option<int?>("--halt-min-finished") { Description = "Finished devices a wave needs before --halt-ratio can halt it (default 0)" };
        var deviceTimeout = new Option<string?>("--device-timeout") { Description = "A device with no verdict this long after its offer counts as failed, e.g. 10m (default 30m)" };
        var retries = new Option<int?>("--retries") { Description = "Retries of a failed download or install (never of a failed health trial; 0-100, default 0)" };
        var retryBackoff = new Option<string?>("--retry-backoff") { Description = "First retry's wait, doubling after (default 30s)" };
        var rollbackOnHalt = new Option<bool>("--rollback-on-halt") { Description = "On halt, roll the devices that took the release back by themselves" };
        var forced = new Option<bool>("--forced") { Description = "A forced update (the device may not defer it)" };
        var approval = new Option<bool>("--require-approval") { Description = "Wait for a second operator's atym ota deployment approve before the first wave" };
        var via = new Option<string[]>("--via") { Description = "A required intermediate release: devices below its version get it first (repeatable)" };
        var maxDownloads = new Option<int?>("--max-downloads") { Description = "At most this many devices offered and not yet on trial at once" };
        var start = new Option<string?>("--start") { Description = "Offer nothing before this, ISO 8601 (2026-12-03T02:00, local to --time-zone unless it carries an offset)" };
        var end = new Option<string?>("--end") { Description = "Offer nothing after this (devices in flight finish)" };
        var timeZone = new Option<string?>("--time-zone") { Description = "IANA time zone of --start, --end and windows (default UTC)" };
        var window = new Option<string[]>("--window")
        {
            Description = "Maintenance window of a group, install only inside it: group=G;start=HH:mm;duration=2h[;days=mon,tue][;zone=Europe/Berlin] (repeatable)",
        };
        var command = new Command("deploy", "Roll a release out to a target set: canaries, waves, soak, automatic halt")
        {
            release, group, tag, deviceClass, device, targeting, canary, waves, soak, haltFailures, haltRatio, haltMinFinished, deviceTimeout,
            retries, retryBackoff, rollbackOnHalt, forced, approval, via, maxDownloads, start, end, timeZone, window,
        };
        OtaOptions.Add(command);
        foreach (var duration in new[] { soak, deviceTimeout, retryBackoff })
            Check(command, duration, v => DeploymentRequest.TryDuration(v) is not null, "a duration: " + DeploymentRequest.DurationGrammarText);
        Check(command, haltRatio, v => DeploymentRequest.TryPercent(v) is not null, DeploymentRequest.PercentGrammarText);
        command.Validators.Add(r =>
        {
            if (r.GetValue(waves) is { } w && Waves(w) is var list && list.FirstOrDefault(x => DeploymentRequest.TryWaveStep(x) is null) is { } bad)
                r.AddError($"--waves: '{bad}' is not {DeploymentRequest.WaveGrammarText}; give them comma-separated, e.g. 10%,50%,100%");
            foreach (var t in r.GetValue(tag) ?? [])
                if (Tag(t) is null) r.AddError($"--tag '{t}' is not NAME=VALUE");
            foreach (var t in r.GetValue(window) ?? [])
                if (Window(t, out var why) is null) r.AddError($"--window '{t}': {why}");
            if ((r.GetValue(group) ?? []).Length == 0 && (r.GetValue(tag) ?? []).Length == 0 && r.GetValue(deviceClass) is null && (r.GetValue(device) ?? []).Length == 0)
                r.AddError("name the devices: --group G, --tag NAME=VALUE, --class C or --device ID");
            if (r.GetValue(canary) is < 0 or > 1000) r.AddError("--canary: expected 0 to 1000 devices");
            if (r.GetValue(haltFailures) is < 1) r.AddError("--halt-failures: expected at least 1");
            if (r.GetValue(haltMinFinished) is < 0) r.AddError("--halt-min-finished: expected 0 or more");
            if (r.GetValue(retries) is < 0 or > 100) r.AddError("--retries: expected 0 to 100");
            if (r.GetValue(maxDownloads) is < 1) r.AddError("--max-downloads: expected at least 1");
        });
        command.SetAction(async (result, ct) =>
        {
            var tags = (result.GetValue(tag) ?? []).Select(t => Tag(t)!.Value).ToList();
            var request = new DeploymentRequest(
                result.GetValue(release)!,
                new DeploymentTargetRequest(
                    NullIfEmpty(result.GetValue(group)),
                    tags.Count == 0 ? null : tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
                    result.GetValue(deviceClass),
                    NullIfEmpty(result.GetValue(device))),
                result.GetValue(targeting),
                result.GetValue(canary),
                result.GetValue(waves) is { } w ? Waves(w) : null,
                result.GetValue(soak),
                result.GetValue(haltFailures) is null && result.GetValue(haltRatio) is null && result.GetValue(haltMinFinished) is null ? null
                    : new HaltRequest(result.GetValue(haltFailures), result.GetValue(haltRatio), result.GetValue(haltMinFinished)),
                result.GetValue(deviceTimeout),
                result.GetValue(retries),
                result.GetValue(retryBackoff),
                result.GetValue(rollbackOnHalt) ? true : null,
                result.GetValue(forced) ? true : null,
                result.GetValue(approval) ? true : null,
                NullIfEmpty(result.GetValue(via)),
                result.GetValue(maxDownloads),
                result.GetValue(start),
                result.GetValue(end),
                result.GetValue(timeZone),
                (result.GetValue(window) ?? []) is { Length: > 0 } ws ? [.. ws.Select(x => Window(x, out _)!)] : null);
            using var client = OtaOptions.Client(result);
            var created = await client.SendAsync(HttpMethod.Post, "api/v1/deployments", request, ct).ConfigureAwait(false);
            if (result.GetValue(CommonOptions.Json))
            {
                Console.Out.WriteLine(created.GetRawText());
                return 0;
            }
            Console.Out.WriteLine(created.GetProperty("id").GetString());
            Console.Error.WriteLine($"atym ota: {DeploymentTables.Headline(created)}; follow it with atym ota status {created.GetProperty("id").GetString()}");
            return 0;
        });
        return command;
    }

    private static void Check(Command command, Option<string?> option, Func<string, bool> valid, string expected) =>
        command.Validators.Add(r =>
        {
            if (r.GetValue(option) is { } text && !valid(text)) r.AddError($"{option.Name} '{text}' is not {expected}");
        });

    private static string[] Waves(string text) => text.Split(',', StringSplitOptions.TrimEntries);

    private static string[]? NullIfEmpty(string[]? values) => values is { Length: > 0 } ? values : null;

    private static KeyValuePair<string, string>? Tag(string text) =>
        text.IndexOf('=', StringComparison.Ordinal) is var i and > 0 ? new(text[..i], text[(i + 1)..]) : null;

    /// <summary><c>group=G;start=HH:mm;duration=2h[;days=mon,tue][;zone=Z]</c> as the request's window; null (and why) when it is not one.
    /// The values' grammar (a known group name, HH:mm, the zone) is the server's to judge; this checks the shape.</summary>
    internal static WindowRequest? Window(string text, out string why)
    {
        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var i = part.IndexOf('=', StringComparison.Ordinal);
            var key = i > 0 ? part[..i] : part;
            if (i <= 0 || key is not ("group" or "start" or "duration" or "days" or "zone") || !parts.TryAdd(key, part[(i + 1)..]))
            {
                why = $"'{part}' is not one of group=, start=, duration=, days=, zone= (each once)";
                return null;
            }
        }
        if (!parts.ContainsKey("group") || !parts.ContainsKey("start") || !parts.ContainsKey("duration"))
        {
            why = "group=, start= and duration= are required";
            return null;
        }
        if (DeploymentRequest.TryDuration(parts["duration"]) is null)
        {
            why = $"duration '{parts["duration"]}' is not {DeploymentRequest.DurationGrammarText}";
            return null;
        }
        why = "";
        return new WindowRequest(parts["group"], parts.TryGetValue("days", out var days) ? days.Split(',', StringSplitOptions.TrimEntries) : null,
            parts["start"], parts["duration"], parts.GetValueOrDefault("zone"));
    }
}
