using System.CommandLine;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Reporting;
using AtymSecure.Policies.Tooling;
using AtymSecure.Policies.Yaml;

namespace AtymSecure.Cli.Commands;

/// <summary><c>atym policy validate|test|diff|explain</c>: policies as code for pull requests (docs/policies.md).</summary>
internal static class PolicyCommands
{
    public static Command Create() => new("policy", "Check, test, diff and explain policy files (docs/policies.md)")
    {
        Validate(), Test(), Diff(), Explain(),
    };

    private static Argument<string> Folder() => new("directory") { Description = "Policy folder (YAML files, any depth)", DefaultValueFactory = _ => "policies/samples" };

    private static int Print(ToolOutcome outcome)
    {
        Console.Write(outcome.Output);
        return outcome.ExitCode;
    }

    private static Command Validate()
    {
        var dir = Folder();
        var format = new Option<string>("--format") { Description = "text, github (workflow annotations) or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "github", "json");
        var command = new Command("validate", "Report every problem of every policy file at once (file:line:column: message, with a hint); exit 1 if any") { dir, format };
        command.SetAction(result => Print(PolicyTool.Validate(result.GetValue(dir)!, result.GetValue(format) switch
        {
            "github" => ReportFormat.GitHub,
            "json" => ReportFormat.Json,
            _ => ReportFormat.Text,
        })));
        return command;
    }

    private static Command Test()
    {
        var dir = Folder();
        var command = new Command("test", "Run the folder's PolicyTest cases (input → expected decision and rule); exit 1 on a failure, with the difference") { dir };
        command.SetAction(result => Print(PolicyTool.Test(result.GetValue(dir)!)));
        return command;
    }

    private static Command Diff()
    {
        var before = new Argument<string>("base") { Description = "Policy folder before, or a git revision with --git" };
        var after = new Argument<string?>("head") { Description = "Policy folder after, or a git revision with --git (omitted: the work tree)", Arity = ArgumentArity.ZeroOrOne };
        var git = new Option<bool>("--git") { Description = "BASE and HEAD are git revisions of the repository in the working directory" };
        var folder = new Option<string>("--dir") { Description = "With --git: the policy folder, relative to the repository root", DefaultValueFactory = _ => "policies/samples" };
        var command = new Command("diff", "The effective change between two policy sets as Markdown for a PR comment; exit 2 if trust or permissions widen") { before, after, git, folder };
        command.SetAction(result =>
        {
            if (result.GetValue(git))
                return Print(PolicyTool.DiffGit(Environment.CurrentDirectory, result.GetValue(before)!, result.GetValue(after), result.GetValue(folder)!));
            var head = result.GetValue(after) ?? throw new ArgumentException("policy diff BASE HEAD needs two folders (or --git REV1 [REV2])");
            return Print(PolicyTool.Diff(result.GetValue(before)!, head));
        });
        return command;
    }

    private static Command Explain()
    {
        var dir = Folder();
        var release = new Option<string>("--release") { Description = "A kind: Release file (repository, version, signers, attestations, permissions)", Required = true };
        var device = new Option<string?>("--device") { Description = "A kind: Device file (class, group, runtime, flash); without it only trust is decided" };
        var at = new Option<string?>("--at") { Description = "When (RFC 3339), for freezes and maintenance windows" };
        var wave = new Option<int?>("--wave") { Description = "Rollout wave number (1 = first)" };
        var canary = new Option<bool>("--canary") { Description = "The wave is a canary wave" };
        var percent = new Option<int>("--percent") { Description = "The wave's share of the group", DefaultValueFactory = _ => 100 };
        var soaked = new Option<string>("--soaked") { Description = "How long the previous wave soaked (30m, 2h)", DefaultValueFactory = _ => "0s" };
        var command = new Command("explain", "Why a release would be allowed or refused on a device, naming the rule, file and line; exit 2 if refused") { dir, release, device, at, wave, canary, percent, soaked };
        command.SetAction(result =>
        {
            DateTimeOffset? when = result.GetValue(at) is { } text
                ? PolicyScalars.Timestamp(text) ?? throw new ArgumentException($"--at '{text}': {PolicyScalars.TimestampRule}")
                : null;
            RolloutWave? step = result.GetValue(wave) is { } number
                ? new RolloutWave(number, result.GetValue(canary), result.GetValue(percent),
                    PolicyScalars.Duration(result.GetValue(soaked)!) ?? throw new ArgumentException($"--soaked: {PolicyScalars.DurationRule}"))
                : null;
            return Print(PolicyTool.Explain(result.GetValue(dir)!, result.GetValue(release)!, result.GetValue(device), when, step));
        });
        return command;
    }
}
