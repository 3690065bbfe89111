using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace AtymSecure.Cli.Ota;

/// <summary>
/// How <c>atym ota deploy</c>, <c>status</c> and <c>deployment …</c> show a deployment of the API
/// (<c>DeploymentView</c>: id, release, status, wave, per-wave counts, halt, timeline; members that are null are left
/// out of the answer): one headline, the list, and one deployment's wave table with its halt and timeline.
/// </summary>
internal static class DeploymentTables
{
    /// <summary><c>dep-… sensor-filter 1.1.0 (rel-…): running, wave 2 of 3</c> (and soaking before the next wave / halted).</summary>
    public static string Headline(JsonElement d)
    {
        var status = Text(d, "status");
        var wave = d.GetProperty("wave").GetInt32();
        var waves = d.GetProperty("waveCount").GetInt32();
        var where = waves == 0 ? "no waves" : $"{WaveName(d, Math.Min(wave, waves - 1))} ({Math.Min(wave, waves - 1) + 1} of {waves})";
        // The server marks the last wave's end too, but nothing waits for it: no soak to tell.
        var soak = status == "running" && wave + 1 < waves && d.TryGetProperty("soakUntil", out var s) && s.ValueKind == JsonValueKind.String ? $", soaking until {Time(s)}" : "";
        return $"deployment {Text(d, "id")} of {Text(d, "container")} {Text(d, "version")} ({Text(d, "releaseId")}): {status} at {where}{soak}";
    }

    /// <summary>One line per deployment (ids stay whole, whatever the terminal's width): its headline and how many devices
    /// confirmed and failed of how many.</summary>
    public static void WriteList(JsonElement list)
    {
        var deployments = list.GetProperty("deployments");
        foreach (var d in deployments.EnumerateArray())
        {
            var waves = d.GetProperty("waves").EnumerateArray().ToList();
            int Sum(string name) => waves.Sum(w => w.GetProperty(name).GetInt32());
            Console.Out.WriteLine($"{Headline(d)}: {Sum("confirmed")} confirmed, {Sum("failed")} failed of {Sum("devices")} device(s)");
        }
        Console.Out.WriteLine($"{deployments.GetArrayLength()} deployment(s)");
    }

    /// <summary>The headline, the per-wave table (lines as plain text: Spectre would wrap them at the terminal's width), the halt (rule, failures by kind, each failed device and its reason) and the timeline.</summary>
    public static void WriteOne(JsonElement d)
    {
        Console.Out.WriteLine(Headline(d));
        if (d.GetProperty("alreadyOnVersion").GetInt32() is var already and > 0) Console.Out.WriteLine($"{already} device(s) already ran {Text(d, "version")}");
        // Superseded and withdrawn devices are rare: their column only when there are any, so the table fits 80 columns.
        var waves = d.GetProperty("waves").EnumerateArray().ToList();
        string[] counts = ["devices", "pending", "downloading", "trial", "confirmed", "failed",
            .. new[] { "superseded", "withdrawn" }.Where(c => waves.Any(w => w.GetProperty(c).GetInt32() > 0))];
        var table = new Table().AddColumn("Wave");
        foreach (var c in counts) table.AddColumn(new TableColumn(char.ToUpperInvariant(c[0]) + c[1..]).RightAligned());
        foreach (var w in waves) table.AddRow([Esc(Text(w, "name")), .. counts.Select(c => Count(w, c))]);
        AnsiConsole.Write(table);
        if (d.TryGetProperty("halt", out var halt) && halt.ValueKind == JsonValueKind.Object)
        {
            foreach (var line in HaltLines(d, halt)) Console.Out.WriteLine(line);
        }
        Console.Out.WriteLine("timeline:");
        foreach (var e in d.GetProperty("timeline").EnumerateArray())
            Console.Out.WriteLine($"  {Time(e.GetProperty("at"))}  {Text(e, "kind")}: {Text(e, "detail")}");
    }

    /// <summary>One wave's counts as a line: <c>canary: 2 device(s): 0 pending, 1 downloading, 1 trial, 0 confirmed, 0 failed</c>
    /// (superseded and withdrawn only when there are any, as in the table).</summary>
    public static string WaveLine(JsonElement wave)
    {
        string[] counts = ["pending", "downloading", "trial", "confirmed", "failed", .. new[] { "superseded", "withdrawn" }.Where(c => wave.GetProperty(c).GetInt32() > 0)];
        return $"{Text(wave, "name")}: {Count(wave, "devices")} device(s): {string.Join(", ", counts.Select(c => $"{Count(wave, c)} {c}"))}";
    }

    /// <summary><c>HALTED at canary (rule): trial-failed 2</c>, then one line per failed device with how it failed and why.</summary>
    public static IEnumerable<string> HaltLines(JsonElement d, JsonElement halt)
    {
        var kinds = string.Join(", ", halt.GetProperty("failuresByKind").EnumerateObject().Select(k => $"{k.Name} {k.Value.GetInt32()}"));
        yield return $"HALTED at {WaveName(d, halt.GetProperty("wave").GetInt32())} on {Time(halt.GetProperty("at"))}: {Text(halt, "rule")} ({kinds})";
        foreach (var f in halt.GetProperty("devices").EnumerateArray())
            yield return $"  {Text(f, "deviceId")}: {Text(f, "kind")}: {Text(f, "reason")}";
    }

    private static string WaveName(JsonElement d, int wave) =>
        d.GetProperty("waves").EnumerateArray().FirstOrDefault(w => w.GetProperty("index").GetInt32() == wave) is { ValueKind: JsonValueKind.Object } w
            ? Text(w, "name") : $"wave {wave}";

    private static string Count(JsonElement e, string name) => Number(e.GetProperty(name).GetInt32());

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Time(JsonElement e) => e.GetDateTimeOffset().ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Text(JsonElement e, string name) => e.GetProperty(name).GetString() ?? "";

    private static string Esc(string text) => Markup.Escape(text);
}
