using System.CommandLine;
using AtymSecure.Cli.Ota;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.Cli.Commands;

/// <summary><c>atym ota serve</c>: run the OTA service (docs/ota-server.md); the operator verbs talk to it over HTTP.</summary>
internal static class OtaCommands
{
    public static Command Create()
    {
        var ota = new Command("ota", "Run the OTA service and operate it");
        ota.Subcommands.Add(Serve());
        ota.Subcommands.Add(Token());
        ota.Subcommands.Add(ReleaseVerbs.Release());
        ota.Subcommands.Add(ReleaseVerbs.Assign());
        ota.Subcommands.Add(DeployVerb.Create());
        ota.Subcommands.Add(DeploymentVerbs.Create());
        ota.Subcommands.Add(OfflineExportVerb.Create());
        ota.Subcommands.Add(OtaFleetCommands.Devices());
        ota.Subcommands.Add(OtaFleetCommands.Status());
        ota.Subcommands.Add(DdiVerbs.Create());
        return ota;
    }

    private static Command Token()
    {
        var role = new Option<string?>("--role") { Description = "viewer, releaser, deployer or admin" };
        var enrollment = new Option<bool>("--enrollment") { Description = "A fleet enrolment token for devices instead of an operator token" };
        var uses = new Option<long?>("--uses") { Description = "How many devices may enrol with it (enrolment tokens; default: no limit)" };
        var expires = new Option<DateTimeOffset?>("--expires") { Description = "Expiry, e.g. 2027-01-01T00:00:00Z" };
        var label = new Option<string?>("--label") { Description = "What the token is for (shown in the audit log)" };
        var group = new Option<string[]>("--group") { Description = "Limit to a device group (viewer, deployer) or put enrolled devices in it; repeatable", AllowMultipleArgumentsPerToken = false };
        var create = new Command("create", "Create an operator or enrolment token; its text is printed once") { role, enrollment, uses, expires, label, group };
        OtaOptions.Add(create);
        create.SetAction(async (result, ct) =>
        {
            var isEnrollment = result.GetValue(enrollment);
            if (isEnrollment == (result.GetValue(role) is not null)) throw new ArgumentException("give either --role R or --enrollment");
            if (!isEnrollment && result.GetValue(uses) is not null) throw new ArgumentException("--uses is for enrolment tokens");
            using var client = OtaOptions.Client(result);
            var groups = result.GetValue(group) is { Length: > 0 } g ? g : null;
            var answer = isEnrollment
                ? await client.SendAsync(HttpMethod.Post, "api/v1/enrollment-tokens", new
                {
                    label = result.GetValue(label) ?? "enrolment", uses = result.GetValue(uses), expiresAt = result.GetValue(expires), groups,
                }, ct).ConfigureAwait(false)
                : await client.SendAsync(HttpMethod.Post, "api/v1/tokens", new
                {
                    label = result.GetValue(label) ?? result.GetValue(role), role = result.GetValue(role), expiresAt = result.GetValue(expires), groups,
                }, ct).ConfigureAwait(false);
            if (result.GetValue(CommonOptions.Json)) Console.Out.WriteLine(answer.GetRawText());
            else
            {
                var details = answer.GetProperty("details");
                Console.Error.WriteLine($"atym ota: created {(isEnrollment ? "enrolment" : details.GetProperty("role").GetString())} token {details.GetProperty("id").GetString()}; it is shown once");
                Console.Out.WriteLine(answer.GetProperty("token").GetString());
            }
            return 0;
        });
        var token = new Command("token", "Operator and enrolment tokens");
        token.Subcommands.Add(create);
        return token;
    }

    private static Command Serve()
    {
        var listen = new Option<string?>("--listen") { Description = "Address to listen on, e.g. 127.0.0.1:8080 or https://0.0.0.0:8443" };
        var data = new Option<string?>("--data") { Description = "Data folder (database, keys, bundles)" };
        var config = new Option<string?>("--config") { Description = "Server options file (JSON); flags override it" };
        var registry = new Option<string?>("--registry") { Description = "OCI registry releases are imported from (enables releases, assignments, bundles)" };
        var store = new Option<string?>("--store") { Description = "Store the records in PostgreSQL: postgres://user@host:port/database (default: LiteDB in the data folder)" };
        var policies = new Option<string?>("--policies") { Description = "Policy folder enforced at release import, deployment creation and every wave (reloaded when it changes)" };
        var ddi = new Option<bool>("--ddi") { Description = "Serve the hawkBit DDI controller API with its defaults (tenant DEFAULT; the config file's 'ddi' sets more)" };
        var blobs = new Option<string?>("--blobs")
        {
            Description = "Cut bundles in an S3-compatible object store: s3://BUCKET[/PREFIX]?endpoint=http://HOST:PORT&region=R&path-style=true " +
                "(keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; default: DATA/bundles)",
        };
        var redirect = new Option<bool>("--redirect-bundle-downloads") { Description = "Answer bundle GETs with 307 to a presigned object store URL (needs --blobs)" };
        var command = new Command("serve", "Serve the device and operator APIs") { listen, data, config, registry, store, blobs, redirect, policies, ddi };
        command.SetAction(async (result, ct) =>
        {
            var options = result.GetValue(config) is { } file ? OtaServerOptionsFile.Load(file) : new OtaServerOptions();
            if (result.GetValue(data) is { } folder) options = options with { DataDirectory = folder };
            if (result.GetValue(listen) is { } address) options = options with { ListenUrl = address };
            if (result.GetValue(registry) is { } source) options = options with { Registry = source };
            if (result.GetValue(store) is { } database) options = options with { Store = database };
            if (result.GetValue(policies) is { } policyFolder) options = options with { Policies = policyFolder };
            if (result.GetValue(blobs) is { } blobStore) options = options with { Blobs = blobStore };
            if (result.GetValue(redirect)) options = options with { RedirectBundleDownloads = true };
            if (result.GetValue(ddi) && options.Ddi is null) options = options with { Ddi = new AtymSecure.OtaServer.Ddi.DdiOptions() };
            options.EnsureValid();
            await OtaServerHost.RunAsync(options, app =>
            {
                var bootstrap = app.Services.GetRequiredService<AdminTokenBootstrap>();
                if (bootstrap.CreatedText is { } token)
                {
                    // Shown once: only its hash is stored. stdout, so a script can capture it.
                    Console.Out.WriteLine($"admin token: {token}");
                    Console.Out.Flush();
                    Console.Error.WriteLine("atym ota: this admin token is shown once; store it now (only its hash is kept)");
                }
                Console.Error.WriteLine($"atym ota: listening on {OtaServerHost.ListeningAddress(app)}, data in {Path.GetFullPath(options.DataDirectory)}" +
                    (options.Store is { } url ? $", store {AtymSecure.Postgres.PostgresConnectionUrl.Redact(url)}" : "") +
                    (options.Blobs is { } blobUrl ? $", bundles in {AtymSecure.ObjectStore.ObjectStoreLocation.Parse(blobUrl)}" +
                        (options.RedirectBundleDownloads ? " (downloads redirected)" : "") : ""));
            }, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
