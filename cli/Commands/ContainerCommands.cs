using System.CommandLine;
using AtymSecure.Container.Build;
using AtymSecure.Container.Inspect;
using AtymSecure.Container.Project;

namespace AtymSecure.Cli.Commands;

/// <summary><c>atym init|build|inspect</c>: the container project and its OCI layout.</summary>
internal static class ContainerCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Init();
        yield return Build();
        yield return Inspect();
    }

    private static Command Init()
    {
        var dir = new Argument<string>("directory") { Description = "Project folder", DefaultValueFactory = _ => "." };
        var name = new Option<string?>("--name") { Description = "Container name (default: the folder name)" };
        var force = new Option<bool>("--force") { Description = "Overwrite existing files" };
        var command = new Command("init", "Scaffold atym.yaml and a C module") { dir, name, force };
        command.SetAction(result =>
        {
            foreach (var file in ProjectScaffolder.Init(result.GetValue(dir)!, result.GetValue(name), result.GetValue(force))) Console.WriteLine($"wrote {file}");
            return 0;
        });
        return command;
    }

    private static Command Build()
    {
        var dir = new Argument<string>("directory") { Description = "Project folder with atym.yaml", DefaultValueFactory = _ => "." };
        var output = new Option<string>("--output", "-o") { Description = "OCI layout folder to write", DefaultValueFactory = _ => "build/oci" };
        var command = new Command("build", "Check the module against atym.yaml and pack it deterministically (SOURCE_DATE_EPOCH sets created)") { dir, output };
        command.SetAction(async (result, ct) =>
        {
            var project = ContainerProject.Load(result.GetValue(dir)!);
            var manifest = await ContainerBuilder.BuildAsync(project, result.GetValue(output)!, BuildOptions.FromEnvironment(), ct).ConfigureAwait(false);
            Console.WriteLine($"Built {result.GetValue(output)}\nDigest: {manifest.Digest}");
            return 0;
        });
        return command;
    }

    private static Command Inspect()
    {
        var reference = new Argument<string>("reference") { Description = "oci:DIR:tag or host/repo:tag" };
        var command = new Command("inspect", "Show a container: config, permissions, module imports/exports, blobs") { reference, CommonOptions.Json };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var target = await Targets.TargetLocator.OpenAsync(result.GetValue(reference)!, CommonOptions.Remote(result), ct).ConfigureAwait(false);
            var artifact = await ContainerInspector.InspectAsync(target.Target, target.RequireReference(), ct).ConfigureAwait(false);
            Console.WriteLine(result.GetValue(CommonOptions.Json) ? ContainerInspector.ToJson(artifact) : ContainerInspector.ToText(artifact));
            return 0;
        });
        return command;
    }
}
