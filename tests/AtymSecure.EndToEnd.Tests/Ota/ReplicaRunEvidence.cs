using System.Text;
using System.Text.Json;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// What <see cref="ReplicasEndToEndTests"/> prints when it fails, so a failed run says why without a rerun: every device
/// that did not succeed with its state, attempts, failure kind and reason, its audit trail in this deployment, and the
/// tail of its agent's log (what its trial and its downloads said); the deployment's timeline; the fleet's summary and
/// log; both OTA replicas' and both registry replicas' logs.
/// </summary>
internal static class ReplicaRunEvidence
{
    public sealed record DeviceLine(string Id, string State, int Attempts, string? Failure, string? Reason);

    public static List<DeviceLine> Devices(JsonElement deployment) =>
        [.. deployment.GetProperty("devices").EnumerateArray().Select(d => new DeviceLine(d.GetProperty("deviceId").GetString()!, d.GetProperty("state").GetString()!,
            d.GetProperty("attempts").GetInt32(), Text(d, "failure"), Text(d, "reason")))];

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>One line of progress: the status, the wave, and how many devices are in each state.</summary>
    public static string Progress(JsonElement deployment) =>
        $"{deployment.GetProperty("status").GetString()}, wave {deployment.GetProperty("wave").GetInt32()}: " +
        string.Join(", ", Devices(deployment).GroupBy(d => d.State).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>The report: <paramref name="audit"/> is the deployment's audit entries (action, subject, after),
    /// <paramref name="deviceLogs"/> each device's agent log by device id.</summary>
    public static string Describe(JsonElement deployment, IReadOnlyList<(string Action, string Subject, string? After)> audit,
        IReadOnlyDictionary<string, string> deviceLogs, IReadOnlyDictionary<string, string> serverLogs, int maxDevices = 6)
    {
        var text = new StringBuilder();
        if (deployment.ValueKind != JsonValueKind.Object) return "(no deployment read yet)";
        var id = deployment.GetProperty("id").GetString();
        var notSucceeded = Devices(deployment).Where(d => d.State != "succeeded").ToList();
        text.AppendLine($"--- deployment {id}: {deployment.GetProperty("status").GetString()}, wave {deployment.GetProperty("wave").GetInt32()}, " +
            $"{notSucceeded.Count} device(s) not succeeded ---");
        foreach (var group in notSucceeded.GroupBy(d => (d.State, d.Failure)))
            text.AppendLine($"{group.Count()} {group.Key.State} {group.Key.Failure}: {string.Join("; ", group.Select(d => $"{d.Id} attempts {d.Attempts} ({d.Reason})"))}");
        foreach (var device in notSucceeded.Take(maxDevices))
        {
            text.AppendLine($"--- {device.Id}: audit ---");
            foreach (var e in audit.Where(e => e.Subject == $"deployment/{id}/device/{device.Id}")) text.AppendLine($"{e.Action} {e.After}");
            if (deviceLogs.TryGetValue(device.Id, out var log)) text.AppendLine($"--- {device.Id}: agent log (tail) ---").AppendLine(Tail(log, 2500));
            foreach (var (server, serverLog) in serverLogs)
                text.AppendLine($"--- {device.Id}: {server}'s requests (last 12) ---").AppendJoin('\n', Mentions(serverLog, device.Id).TakeLast(12)).AppendLine();
        }
        text.AppendLine("--- timeline ---").AppendLine(Tail(deployment.GetProperty("timeline").ToString(), 4000));
        return text.ToString();
    }

    /// <summary>The lines of a server's log that name <paramref name="deviceId"/> (its request log names the caller).</summary>
    public static IEnumerable<string> Mentions(string log, string deviceId) =>
        log.Split('\n').Where(l => l.Contains(deviceId, StringComparison.Ordinal)).Select(l => l.Trim());

    public static string Tail(string log, int chars) => log.Length <= chars ? log : log[^chars..];
}
