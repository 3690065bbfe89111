using System.CommandLine;
using AtymSecure.Registry.Gc;
using AtymSecure.Registry.Hosting;
using AtymSecure.Registry.Storage;
using AtymSecure.RegistryPolicy;

namespace AtymSecure.Cli.Commands;

/// <summary><c>atym registry serve|gc</c>: run our OCI registry and collect its garbage.</summary>
internal static class RegistryCommands
{
    public static Command Create()
    {
        var registry = new Command("registry", "Run and maintain the AtymSecure OCI registry");
        registry.Subcommands.Add(Serve());
        registry.Subcommands.Add(GarbageCollect());
        return registry;
    }

    private static readonly Option<string?> Data = new("--data") { Description = "Data folder (blobs, uploads, metadata database)" };
    private static readonly Option<string?> Store = new("--store")
    {
        Description = "Metadata store: postgres://user@host:port/database (several registries may share it, with one shared --data folder for blobs); default: LiteDB in --data",
    };
    private static readonly Option<string?> Config = new("--config") { Description = "Registry options file (JSON or YAML); flags override it" };
    private static readonly Option<string?> Blobs = new("--blobs")
    {
        Description = "Blobs in an S3-compatible object store: s3://BUCKET[/PREFIX]?endpoint=http://HOST:PORT&region=R&path-style=true " +
            "(keys in the URL's user info or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); default: files in the data folder",
    };

    private static RegistryOptions LoadOptions(ParseResult result, string? listen)
    {
        var options = result.GetValue(Config) is { } file ? RegistryOptionsFile.Load(file) : new RegistryOptions();
        if (result.GetValue(Data) is { } data) options = options with { DataDirectory = data };
        if (result.GetValue(Store) is { } store) options = options with { Store = store };
        if (listen is not null) options = options with { ListenUrl = listen };
        if (result.GetValue(Blobs) is { } blobs) options = options with { Blobs = blobs };
        return options.EnsureValid();
    }

    private static Command Serve()
    {
        var listen = new Option<string?>("--listen") { Description = "Address to listen on, e.g. 127.0.0.1:5000" };
        var policies = new Option<string?>("--policies") { Description = "Policy folder: repositories its trust policy covers are protected (a tag moves only to a manifest the policy accepts)" };
        var policyKeys = new Option<string?>("--policy-keys") { Description = "Folder of the *.pub keys the trust policy names by fingerprint (default POLICIES/keys)" };
        var registryName = new Option<string?>("--registry-name") { Description = "host:port the policy's scopes call this registry (default: the --listen address)" };
        var redirect = new Option<bool>("--redirect-blob-downloads") { Description = "Answer blob GETs with 307 to a presigned object store URL (needs --blobs)" };
        var command = new Command("serve", "Serve the OCI Distribution v1.1 API") { listen, Data, Store, Config, Blobs, redirect, policies, policyKeys, registryName };
        command.SetAction(async (result, ct) =>
        {
            var options = LoadOptions(result, result.GetValue(listen));
            if (result.GetValue(policies) is { } p) options = options with { PolicyDirectory = p };
            if (result.GetValue(policyKeys) is { } k) options = options with { PolicyKeysDirectory = k };
            if (result.GetValue(registryName) is { } n) options = options with { RegistryName = n };
            if (result.GetValue(redirect)) options = options with { RedirectBlobDownloads = true };
            options.EnsureValid();
            var guard = RegistryPolicyGuard.Configure(options);
            Console.Error.WriteLine($"atym registry: listening on {options.NormalizedListenUrl()}, data in {Path.GetFullPath(options.DataDirectory)}, " +
                MetadataStores.Describe(options) +
                (options.Blobs is null ? "" : $", blobs in {RegistryOptions.WithoutUserInfo(options.Blobs)}" + (options.RedirectBlobDownloads ? " (downloads redirected)" : "")) +
                (options.AuthConfigPath is null ? " (no auth)" : $" (auth from {options.AuthConfigPath})") +
                (options.PolicyDirectory is null ? "" : $" (protected repositories from {options.PolicyDirectory} as {options.EffectiveRegistryName()})"));
            await RegistryServer.RunAsync(options, guard, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command GarbageCollect()
    {
        var grace = new Option<TimeSpan>("--grace")
        {
            Description = "Keep unreferenced blobs used more recently than this (uploads in flight)",
            DefaultValueFactory = _ => RegistryGarbageCollector.DefaultGracePeriod,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be deleted, delete nothing" };
        var command = new Command("gc", "Delete blobs no manifest references (mark and sweep; run it with every registry on the store stopped)") { Data, Store, Config, Blobs, grace, dryRun };
        command.SetAction(result =>
        {
            var options = LoadOptions(result, listen: null);
            var report = RegistryGarbageCollector.Run(options.DataDirectory, result.GetValue(grace), options.UploadExpiry, result.GetValue(dryRun), options.Store,
                options.Blobs is null ? null : RegistryBlobStores.Open(options, options.DataDirectory));
            Console.WriteLine($"{(report.DryRun ? "would delete" : "deleted")} {report.BlobsDeleted} blob(s), {report.BytesFreed} bytes; " +
                $"kept {report.BlobsKept} referenced by {report.Manifests} manifest(s), {report.BlobsInGracePeriod} in the grace period; " +
                $"{report.UploadsExpired} expired upload(s) removed");
            foreach (var digest in report.Deleted) Console.WriteLine($"  {digest}");
            return 0;
        });
        return command;
    }
}
