using System.CommandLine;

namespace AtymSecure.Cli.Ota;

/// <summary>
/// <c>atym ota ddi target create ID [--class C] [--group G]…</c>, <c>atym ota ddi target token ID</c>,
/// <c>atym ota ddi target show ID</c> and <c>atym ota ddi gateway-token</c>: the operator API of the hawkBit DDI
/// endpoints (docs/ddi.md). A token's text is printed once on stdout (only its hash is stored); the rest on stderr.
/// </summary>
internal static class DdiVerbs
{
    public static Command Create()
    {
        var ddi = new Command("ddi", "hawkBit DDI targets and tokens (the server needs the 'ddi' option)");
        ddi.Subcommands.Add(Target());
        ddi.Subcommands.Add(GatewayToken());
        return ddi;
    }

    private static Command Target()
    {
        var id = new Argument<string>("controller-id") { Description = "The DDI controller id (also the device id)" };
        var deviceClass = new Option<string?>("--class") { Description = "Device class (default: the server's ddi.defaultDeviceClass)" };
        var group = new Option<string[]>("--group") { Description = "Device group; repeatable", AllowMultipleArgumentsPerToken = false };
        var create = new Command("create", "Create a DDI target and its TargetToken (printed once)") { id, deviceClass, group };
        OtaOptions.Add(create);
        create.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var answer = await client.SendAsync(HttpMethod.Post, "api/v1/ddi/targets", new
            {
                controllerId = result.GetValue(id), deviceClass = result.GetValue(deviceClass), groups = result.GetValue(group) is { Length: > 0 } g ? g : null,
            }, ct).ConfigureAwait(false);
            return Print(result, answer, $"created DDI target {result.GetValue(id)}; its TargetToken is shown once");
        });
        var token = new Command("token", "Give a DDI target a new TargetToken (the old one stops working)") { id };
        OtaOptions.Add(token);
        token.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var answer = await client.SendAsync(HttpMethod.Post, $"api/v1/ddi/targets/{Uri.EscapeDataString(result.GetValue(id)!)}/token", null, ct).ConfigureAwait(false);
            return Print(result, answer, $"new TargetToken for {result.GetValue(id)}; it is shown once");
        });
        var show = new Command("show", "A DDI target: class, groups, attributes, recent actions") { id };
        OtaOptions.Add(show);
        show.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var answer = await client.SendAsync(HttpMethod.Get, $"api/v1/ddi/targets/{Uri.EscapeDataString(result.GetValue(id)!)}", null, ct).ConfigureAwait(false);
            Console.Out.WriteLine(answer.GetRawText());
            return 0;
        });
        var target = new Command("target", "DDI targets");
        target.Subcommands.Add(create);
        target.Subcommands.Add(token);
        target.Subcommands.Add(show);
        return target;
    }

    private static Command GatewayToken()
    {
        var command = new Command("gateway-token", "Make the tenant's GatewayToken (printed once; replaces the previous one)");
        OtaOptions.Add(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var answer = await client.SendAsync(HttpMethod.Post, "api/v1/ddi/gateway-token", null, ct).ConfigureAwait(false);
            return Print(result, answer, $"new GatewayToken for tenant {answer.GetProperty("tenant").GetString()}; it is shown once");
        });
        return command;
    }

    private static int Print(ParseResult result, System.Text.Json.JsonElement answer, string note)
    {
        if (result.GetValue(CommonOptions.Json)) Console.Out.WriteLine(answer.GetRawText());
        else
        {
            Console.Error.WriteLine("atym ota: " + note);
            Console.Out.WriteLine(answer.GetProperty("token").GetString());
        }
        return 0;
    }
}
