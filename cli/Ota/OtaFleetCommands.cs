using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace AtymSecure.Cli.Ota;

/// <summary><c>atym ota devices</c> and <c>atym ota status</c>: the fleet and its deployments as the operator API shows them (tables, or the API's JSON with --json).</summary>
internal static class OtaFleetCommands
{
    public static Command Devices()
    {
        var group = new Option<string?>("--group") { Description = "Only devices in this group" };
        var limit = new Option<int?>("--limit") { Description = "At most this many devices (default: all, page by page)" };
        var pageSize = new Option<int>("--page-size") { Description = "Devices asked for per request (1-1000)", DefaultValueFactory = _ => 1000 };
        var command = new Command("devices", "List enrolled devices: state, class, runtime, groups, what they last reported") { group, limit, pageSize };
        OtaOptions.Add(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var size = result.GetValue(pageSize);
            var query = $"?limit={size}" + (result.GetValue(group) is { } g ? $"&group={Uri.EscapeDataString(g)}" : "");
            var devices = await client.GetAllPagesAsync("api/v1/devices" + query, result.GetValue(limit), ct).ConfigureAwait(false);
            if (result.GetValue(CommonOptions.Json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(devices));
                return 0;
            }
            var table = new Table().AddColumns("Device", "State", "Class", "Runtime", "Groups", "Containers (confirmed / trial)", "Last report");
            foreach (var d in devices)
            {
                var report = d.GetProperty("lastReport");
                table.AddRow(Text(d, "id"), Text(d, "state"), Text(d, "deviceClass"), Text(d, "runtimeVersion"),
                    Markup.Escape(string.Join(",", d.GetProperty("groups").EnumerateArray().Select(x => x.GetString()))),
                    Markup.Escape(report.ValueKind == JsonValueKind.Object ? Containers(report) : "-"),
                    Markup.Escape(report.ValueKind == JsonValueKind.Object ? report.GetProperty("receivedAt").GetDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) : "never"));
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"{devices.Count} device(s)");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// <c>atym ota status</c>: the fleet at a glance and the deployments; <c>atym ota status DEPLOYMENT</c>: that deployment's
    /// wave table, halt and timeline. <c>--json</c> prints the API's answers unchanged (without an id, both as
    /// <c>{"fleet": GET /api/v1/status, "deployments": GET /api/v1/deployments}</c>, deployments null from a server without a registry).
    /// </summary>
    public static Command Status()
    {
        var deployment = new Argument<string?>("deployment") { Description = "A deployment id (dep-…): its waves, halt and timeline", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "The fleet at a glance and its deployments, or one deployment's waves, halt and timeline") { deployment };
        OtaOptions.Add(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var json = result.GetValue(CommonOptions.Json);
            if (result.GetValue(deployment) is { } id)
            {
                var one = await client.SendAsync(HttpMethod.Get, $"api/v1/deployments/{Uri.EscapeDataString(id)}", null, ct).ConfigureAwait(false);
                if (json) Console.Out.WriteLine(one.GetRawText());
                else DeploymentTables.WriteOne(one);
                return 0;
            }
            var status = await client.SendAsync(HttpMethod.Get, "api/v1/status", null, ct).ConfigureAwait(false);
            var deployments = await DeploymentsAsync(client, ct).ConfigureAwait(false);
            if (json)
            {
                Console.Out.WriteLine($"{{\"fleet\":{status.GetRawText()},\"deployments\":{deployments?.GetRawText() ?? "null"}}}");
                return 0;
            }
            var table = new Table().AddColumns("State", "Devices");
            foreach (var s in status.GetProperty("devices").EnumerateObject()) table.AddRow(s.Name, s.Value.GetInt64().ToString(CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            var root = status.GetProperty("directorRootVersion");
            Console.Out.WriteLine($"director root: {(root.ValueKind == JsonValueKind.Number ? $"version {root.GetInt64()}" : "none uploaded (poll answers carry no director targets)")}; " +
                $"poll interval {status.GetProperty("pollIntervalSeconds").GetInt64()} s");
            if (deployments is { } list) DeploymentTables.WriteList(list);
            else Console.Out.WriteLine("no deployments: this server runs without a registry (atym ota serve --registry), so without releases and rollouts");
            return 0;
        });
        return command;
    }

    /// <summary><c>GET /api/v1/deployments</c>, or null from a server without the rollouts API (no route: 404 <c>not-found</c>).</summary>
    private static async Task<JsonElement?> DeploymentsAsync(OtaApiClient client, CancellationToken ct)
    {
        try
        {
            return await client.SendAsync(HttpMethod.Get, "api/v1/deployments", null, ct).ConfigureAwait(false);
        }
        catch (OtaApiException e) when (e.Status == 404 && e.Code == AtymSecure.OtaContracts.OtaProblemCodes.NotFound)
        {
            return null;
        }
    }

    private static string Text(JsonElement e, string name) => Markup.Escape(e.GetProperty(name).GetString() ?? "");

    private static string Containers(JsonElement report) => string.Join("; ", report.GetProperty("containers").EnumerateArray().Select(c =>
        $"{c.GetProperty("name").GetString()} {Or(c, "confirmed")}/{Or(c, "trial")}{(c.GetProperty("lastTrialVerdict").GetString() is { } v ? $" ({v})" : "")}"));

    private static string Or(JsonElement e, string name) => e.GetProperty(name).GetString() ?? "-";
}
