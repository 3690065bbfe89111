using System.CommandLine;
using AtymSecure.Cli.Output;
using AtymSecure.Cli.Targets;
using AtymSecure.Oci.Packing;

namespace AtymSecure.Cli.Commands;

/// <summary>oras-like <c>push</c> and <c>pull</c> of plain files as an OCI artifact.</summary>
internal static class ArtifactCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Push();
        yield return Pull();
    }

    private static Command Push()
    {
        var reference = new Argument<string>("reference") { Description = "Destination REF:tag or oci:DIR:tag" };
        var files = new Argument<string[]>("files")
        {
            Description = "Files to pack, each FILE or FILE:MEDIA_TYPE (an OCI layout folder to push goes through `atym copy oci:DIR:tag REF`)",
            Arity = ArgumentArity.OneOrMore,
        };
        var artifactType = new Option<string>("--artifact-type") { Description = "Artifact type of the manifest", DefaultValueFactory = _ => Packer.DefaultArtifactType };
        var annotations = new Option<string[]>("--annotation", "-a") { Description = "Manifest annotation KEY=VALUE", AllowMultipleArgumentsPerToken = false };
        var command = new Command("push", "Pack files into an OCI artifact and push it") { reference, files, artifactType, annotations };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var target = await TargetLocator.OpenAsync(result.GetValue(reference)!, CommonOptions.Remote(result), ct).ConfigureAwait(false);
            var entries = result.GetValue(files)!.Select(ParseFile).ToList();
            var notes = ParseAnnotations(result.GetValue(annotations) ?? []);
            var manifest = await TransferProgress.RunAsync(progress => FileArtifacts.PackFilesAsync(target.Target, entries,
                result.GetValue(artifactType)!, new PackOptions { Annotations = notes }, progress.Report, ct)).ConfigureAwait(false);
            if (target.Reference is { } tag && !tag.Contains(':', StringComparison.Ordinal))
                await target.Target.TagAsync(manifest, tag, ct).ConfigureAwait(false);
            Console.WriteLine($"Pushed {target.Display}\nDigest: {manifest.Digest}");
            return 0;
        });
        return command;
    }

    private static Command Pull()
    {
        var reference = new Argument<string>("reference") { Description = "Source REF or oci:DIR[:tag|@digest]" };
        var output = new Option<string>("--output", "-o") { Description = "Folder to write the files to", DefaultValueFactory = _ => "." };
        var keep = new Option<bool>("--keep-existing") { Description = "Refuse to overwrite existing files" };
        var command = new Command("pull", "Pull an artifact's titled layers back into files") { reference, output, keep };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var target = await TargetLocator.OpenAsync(result.GetValue(reference)!, CommonOptions.Remote(result), ct).ConfigureAwait(false);
            var pulled = await TransferProgress.RunAsync(progress => FileArtifacts.PullFilesAsync(target.Target, target.RequireReference(),
                result.GetValue(output)!, new PullFilesOptions { Overwrite = !result.GetValue(keep), OnProgress = progress.Report }, ct)).ConfigureAwait(false);
            foreach (var file in pulled) Console.WriteLine($"Pulled {file.Path}  {file.Layer.Digest}");
            return 0;
        });
        return command;
    }

    /// <summary><c>FILE</c> or <c>FILE:MEDIA_TYPE</c> (a media type always contains '/').</summary>
    internal static FileEntry ParseFile(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && text[(colon + 1)..].Contains('/', StringComparison.Ordinal)
            ? new FileEntry(text[..colon], text[(colon + 1)..])
            : new FileEntry(text);
    }

    internal static SortedDictionary<string, string> ParseAnnotations(IEnumerable<string> pairs)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"annotation '{pair}' is not KEY=VALUE");
            result[pair[..eq]] = pair[(eq + 1)..];
        }
        return result;
    }
}
