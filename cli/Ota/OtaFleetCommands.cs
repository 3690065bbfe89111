using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace AtymSecure.Cli.Ota;

/// <summary><c>atym ota devices</c> and <c>atym ota status</c>: the fleet as the operator API shows it (tables, or the API's JSON with --json).</summary>
internal static class OtaFleetCommands
{
    public static Command Devices()
    {
        var group = new Option<string?>("--group") { Description = "Only devices in this group" };
        var command = new Command("devices", "List enrolled devices: state, class, runtime, groups, what they last reported") { group };
        OtaOptions.Add(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var query = result.GetValue(group) is { } g ? $"?group={Uri.EscapeDataString(g)}&limit=1000" : "?limit=1000";
            var devices = await client.SendAsync(HttpMethod.Get, "api/v1/devices" + query, null, ct).ConfigureAwait(false);
            if (result.GetValue(CommonOptions.Json))
            {
                Console.Out.WriteLine(devices.GetRawText());
                return 0;
            }
            var table = new Table().AddColumns("Device", "State", "Class", "Runtime", "Groups", "Containers (confirmed / trial)", "Last report");
            foreach (var d in devices.EnumerateArray())
            {
                var report = d.GetProperty("lastReport");
                table.AddRow(Text(d, "id"), Text(d, "state"), Text(d, "deviceClass"), Text(d, "runtimeVersion"),
                    Markup.Escape(string.Join(",", d.GetProperty("groups").EnumerateArray().Select(x => x.GetString()))),
                    Markup.Escape(report.ValueKind == JsonValueKind.Object ? Containers(report) : "-"),
                    Markup.Escape(report.ValueKind == JsonValueKind.Object ? report.GetProperty("receivedAt").GetDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) : "never"));
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"{devices.GetArrayLength()} device(s)");
            return 0;
        });
        return command;
    }

    public static Command Status()
    {
        var command = new Command("status", "The fleet at a glance: devices by state, director root, poll interval");
        OtaOptions.Add(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var status = await client.SendAsync(HttpMethod.Get, "api/v1/status", null, ct).ConfigureAwait(false);
            if (result.GetValue(CommonOptions.Json))
            {
                Console.Out.WriteLine(status.GetRawText());
                return 0;
            }
            var table = new Table().AddColumns("State", "Devices");
            foreach (var s in status.GetProperty("devices").EnumerateObject()) table.AddRow(s.Name, s.Value.GetInt64().ToString(CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            var root = status.GetProperty("directorRootVersion");
            AnsiConsole.MarkupLine(Markup.Escape($"director root: {(root.ValueKind == JsonValueKind.Number ? $"version {root.GetInt64()}" : "none uploaded (poll answers carry no director targets)")}; " +
                $"poll interval {status.GetProperty("pollIntervalSeconds").GetInt64()} s"));
            return 0;
        });
        return command;
    }

    private static string Text(JsonElement e, string name) => Markup.Escape(e.GetProperty(name).GetString() ?? "");

    private static string Containers(JsonElement report) => string.Join("; ", report.GetProperty("containers").EnumerateArray().Select(c =>
        $"{c.GetProperty("name").GetString()} {Or(c, "confirmed")}/{Or(c, "trial")}{(c.GetProperty("lastTrialVerdict").GetString() is { } v ? $" ({v})" : "")}"));

    private static string Or(JsonElement e, string name) => e.GetProperty(name).GetString() ?? "-";
}
