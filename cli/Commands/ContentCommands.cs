using System.CommandLine;
using System.Text.Json;
using AtymSecure.Cli.Output;
using AtymSecure.Cli.Targets;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Copying;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Cli.Commands;

/// <summary>oras-like verbs over any target (registry or OCI layout): copy, tag, ls, manifest, referrers.</summary>
internal static class ContentCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Copy();
        yield return Tag();
        yield return ListTags();
        yield return Manifest();
        yield return Referrers();
    }

    private static Command Copy()
    {
        var source = new Argument<string>("source") { Description = "REF or oci:DIR[:tag]" };
        var destination = new Argument<string>("destination") { Description = "REF or oci:DIR[:tag]" };
        var referrers = new Option<bool>("--referrers", "-r") { Description = "Also copy the referrers graph (signatures, SBOMs, AoT outputs)" };
        var concurrency = new Option<int>("--concurrency") { Description = "Parallel blob transfers", DefaultValueFactory = _ => 3 };
        var command = new Command("copy", "Copy an artifact and its graph between registries and OCI layouts") { source, destination, referrers, concurrency };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var remote = CommonOptions.Remote(result);
            var src = await TargetLocator.OpenAsync(result.GetValue(source)!, remote, ct).ConfigureAwait(false);
            var dst = await TargetLocator.OpenAsync(result.GetValue(destination)!, remote, ct).ConfigureAwait(false);
            var root = await TransferProgress.RunAsync(progress => src.Target.CopyAsync(src.RequireReference(), dst.Target,
                dst.Reference ?? "", new CopyOptions
                {
                    IncludeReferrers = result.GetValue(referrers),
                    Concurrency = result.GetValue(concurrency),
                    OnProgress = progress.Report,
                    OnCopied = d => progress.Done(d, "copied"),
                    OnSkipped = d => progress.Done(d, "exists"),
                    OnMounted = d => progress.Done(d, "mounted"),
                }, ct)).ConfigureAwait(false);
            Console.WriteLine($"Copied {src.Display} => {dst.Display}\nDigest: {root.Digest}");
            return 0;
        });
        return command;
    }

    private static Command Tag()
    {
        var reference = new Argument<string>("reference") { Description = "REF or oci:DIR[:tag|@digest] to tag" };
        var tags = new Argument<string[]>("tags") { Description = "New tags", Arity = ArgumentArity.OneOrMore };
        var command = new Command("tag", "Give an existing manifest more tags") { reference, tags };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var target = await TargetLocator.OpenAsync(result.GetValue(reference)!, CommonOptions.Remote(result), ct).ConfigureAwait(false);
            var descriptor = await target.Target.ResolveAsync(target.RequireReference(), ct).ConfigureAwait(false);
            foreach (var tag in result.GetValue(tags)!)
            {
                if (!Reference.IsValidTag(tag)) throw new ArgumentException($"invalid tag '{tag}'");
                await target.Target.TagAsync(descriptor, tag, ct).ConfigureAwait(false);
                Console.WriteLine($"Tagged {tag} => {descriptor.Digest}");
            }
            return 0;
        });
        return command;
    }

    private static Command ListTags()
    {
        var repository = new Argument<string>("repository") { Description = "host/repo or oci:DIR" };
        var command = new Command("ls", "List the tags of a repository or layout, sorted") { repository };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var target = await TargetLocator.OpenAsync(result.GetValue(repository)!, CommonOptions.Remote(result), ct).ConfigureAwait(false);
            if (target.Target is not ITagLister lister) throw new NotSupportedException($"'{target.Display}' cannot list tags");
            await foreach (var tag in lister.ListTagsAsync(cancellationToken: ct).ConfigureAwait(false)) Console.WriteLine(tag);
            return 0;
        });
        return command;
    }

    private static Command Manifest()
    {
        var manifest = new Command("manifest", "Fetch or delete manifests");
        var reference = new Argument<string>("reference") { Description = "REF or oci:DIR[:tag|@digest]" };
        var descriptorOnly = new Option<bool>("--descriptor") { Description = "Print the descriptor instead of the content" };
        var fetch = new Command("fetch", "Print a manifest exactly as stored") { reference, descriptorOnly };
        CommonOptions.AddRemote(fetch);
        fetch.SetAction(async (result, ct) =>
        {
            var target = await TargetLocator.OpenAsync(result.GetValue(reference)!, CommonOptions.Remote(result), ct).ConfigureAwait(false);
            var descriptor = await target.Target.ResolveAsync(target.RequireReference(), ct).ConfigureAwait(false);
            if (result.GetValue(descriptorOnly))
            {
                Console.WriteLine(JsonSerializer.Serialize(descriptor, OciJson.Options));
                return 0;
            }
            var bytes = await target.Target.FetchAllAsync(descriptor, cancellationToken: ct).ConfigureAwait(false);
            using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(bytes, ct).ConfigureAwait(false);
            return 0;
        });
        var deleteRef = new Argument<string>("reference") { Description = "REF or oci:DIR[:tag|@digest]" };
        var delete = new Command("delete", "Delete a manifest (by digest: its tags go too)") { deleteRef };
        CommonOptions.AddRemote(delete);
        delete.SetAction(async (result, ct) =>
        {
            var target = await TargetLocator.OpenAsync(result.GetValue(deleteRef)!, CommonOptions.Remote(result), ct).ConfigureAwait(false);
            if (target.Target is not IDeleter deleter) throw new NotSupportedException($"'{target.Display}' cannot delete");
            var descriptor = await target.Target.ResolveAsync(target.RequireReference(), ct).ConfigureAwait(false);
            await deleter.DeleteAsync(descriptor, ct).ConfigureAwait(false);
            Console.WriteLine($"Deleted {descriptor.Digest}");
            return 0;
        });
        manifest.Subcommands.Add(fetch);
        manifest.Subcommands.Add(delete);
        return manifest;
    }

    private static Command Referrers()
    {
        var reference = new Argument<string>("reference") { Description = "REF or oci:DIR[:tag|@digest] of the subject" };
        var artifactType = new Option<string?>("--artifact-type") { Description = "Only referrers of this artifact type" };
        var command = new Command("referrers", "List the manifests that refer to a subject (signatures, SBOMs, AoT outputs)") { reference, artifactType, CommonOptions.Json };
        CommonOptions.AddRemote(command);
        command.SetAction(async (result, ct) =>
        {
            var target = await TargetLocator.OpenAsync(result.GetValue(reference)!, CommonOptions.Remote(result), ct).ConfigureAwait(false);
            if (target.Target is not IReferrerLister lister) throw new NotSupportedException($"'{target.Display}' cannot list referrers");
            var subject = await target.Target.ResolveAsync(target.RequireReference(), ct).ConfigureAwait(false);
            var found = new List<Descriptor>();
            await foreach (var d in lister.ListReferrersAsync(subject, result.GetValue(artifactType), ct).ConfigureAwait(false)) found.Add(d);
            if (result.GetValue(CommonOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new ImageIndex { Manifests = found }, OciJson.Options));
                return 0;
            }
            Console.WriteLine($"{subject.Digest} has {found.Count} referrer(s)");
            foreach (var d in found) Console.WriteLine($"  {d.ArtifactType ?? d.MediaType}  {d.Digest}  {d.Size} B");
            return 0;
        });
        return command;
    }
}
