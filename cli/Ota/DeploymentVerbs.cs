using System.CommandLine;

namespace AtymSecure.Cli.Ota;

/// <summary>
/// <c>atym ota deployment approve|pause|resume|cancel ID</c> (<c>POST /api/v1/deployments/{id}/ACTION</c>: prints the
/// deployment's new headline) and <c>atym ota deployment rollback ID [--release REL]</c> (prints the id of the rollback
/// deployment it creates). <c>--json</c> prints the API's answer.
/// </summary>
internal static class DeploymentVerbs
{
    public static Command Create()
    {
        var deployment = new Command("deployment", "Act on a deployment: approve, pause, resume, cancel, roll back");
        deployment.Subcommands.Add(Action("approve", "Approve a deployment that requires a second operator (its first wave starts)"));
        deployment.Subcommands.Add(Action("pause", "Pause: no device is offered the release until resume (devices in flight finish)"));
        deployment.Subcommands.Add(Action("resume", "Resume a paused deployment"));
        deployment.Subcommands.Add(Action("cancel", "Cancel: offers not yet taken are withdrawn; nothing more is offered"));
        deployment.Subcommands.Add(Rollback());
        return deployment;
    }

    private static Argument<string> Id() => new("id") { Description = "Deployment id (dep-…)" };

    private static Command Action(string name, string description)
    {
        var id = Id();
        var command = new Command(name, description) { id };
        OtaOptions.Add(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var answer = await client.SendAsync(HttpMethod.Post, $"api/v1/deployments/{Uri.EscapeDataString(result.GetValue(id)!)}/{name}", null, ct).ConfigureAwait(false);
            Console.Out.WriteLine(result.GetValue(CommonOptions.Json) ? answer.GetRawText() : DeploymentTables.Headline(answer));
            return 0;
        });
        return command;
    }

    private static Command Rollback()
    {
        var id = Id();
        var release = new Option<string?>("--release") { Description = "The release to roll back to (default: the previous version's, re-released with a security counter at the fleet's floor)" };
        var command = new Command("rollback", "Roll the devices that took a deployment's release back (a new deployment, as deltas)") { id, release };
        OtaOptions.Add(command);
        command.SetAction(async (result, ct) =>
        {
            using var client = OtaOptions.Client(result);
            var answer = await client.SendAsync(HttpMethod.Post, $"api/v1/deployments/{Uri.EscapeDataString(result.GetValue(id)!)}/rollback",
                new { releaseId = result.GetValue(release) }, ct).ConfigureAwait(false);
            if (result.GetValue(CommonOptions.Json))
            {
                Console.Out.WriteLine(answer.GetRawText());
                return 0;
            }
            Console.Out.WriteLine(answer.GetProperty("id").GetString());
            Console.Error.WriteLine($"atym ota: {DeploymentTables.Headline(answer)}");
            return 0;
        });
        return command;
    }
}
