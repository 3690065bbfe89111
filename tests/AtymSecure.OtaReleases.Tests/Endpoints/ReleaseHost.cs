using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaReleases.Endpoints;
using AtymSecure.Primitives;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaReleases.Tests.Endpoints;

/// <summary>
/// The real OTA host (operator auth, problem+json, LiteDB store in a fresh data folder) in a TestServer, with this
/// library registered (<see cref="OtaReleasesServices.AddOtaReleases"/>) and its endpoints mapped, importing from the
/// <see cref="ReleaseWorld"/>'s registry. The admin token authenticates <see cref="Client"/>.
/// </summary>
internal sealed class ReleaseHost : IAsyncDisposable
{
    private ReleaseHost(WebApplication app, TempFolder data)
    {
        App = app;
        DataFolder = data;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; private set; } = null!;

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static Task<ReleaseHost> StartAsync(ReleaseWorld world) => StartAsync(world, TempFolder.Create("ota-releases-host"), null);

    /// <summary>The host on a real loopback port (Kestrel), for <c>atym</c> processes: <see cref="Url"/> is where it listens.</summary>
    public static Task<ReleaseHost> StartOnLoopbackAsync(ReleaseWorld world) => StartAsync(world, TempFolder.Create("ota-releases-host"), null, loopback: true);

    /// <summary>A host on <paramref name="data"/> (a restart when an earlier host used it, whose <paramref name="adminToken"/> still works); the host disposes it.</summary>
    /// <param name="server">Changes to the server's options (DDI on, poll interval), applied before the host is built.</param>
    /// <param name="configure">More services (rollouts, a replaced DDI artifact source), registered after this library's.</param>
    public static async Task<ReleaseHost> StartAsync(ReleaseWorld world, TempFolder data, string? adminToken, bool loopback = false,
        Func<OtaServerOptions, OtaServerOptions>? server = null, Action<WebApplicationBuilder>? configure = null)
    {
        var vendorKey = data.Write("vendor.pub", world.Samples.Trusted.PublicKeyPem());
        var options = new OtaServerOptions { DataDirectory = data.Path, ListenUrl = "http://127.0.0.1:0" };
        var app = OtaServerHost.Build(server is null ? options : server(options).EnsureValid(), builder =>
        {
            if (!loopback) builder.WebHost.UseTestServer();
            builder.Services.AddOtaReleases(new OtaReleasesOptions
            {
                DataDirectory = data.Path,
                Registry = "http://" + world.Registry.Host,
                VendorKeyFiles = [vendorKey],
                FleetClasses = ["linux-x86_64"],
                Jobs = new OtaReleases.Jobs.JobQueueOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromMilliseconds(400) },
                CompilerKeyPassphrase = PassphraseSource.FromValue(ReleaseWorld.Passphrase),
            });
            configure?.Invoke(builder);
        });
        app.MapReleaseEndpoints();
        app.MapBundleEndpoints();
        app.MapOfflineExportEndpoints();
        await app.StartAsync();
        var url = loopback ? new Uri(app.Urls.First()) : new Uri("http://localhost/");
        var host = new ReleaseHost(app, data) { Client = loopback ? new HttpClient { BaseAddress = url } : app.GetTestClient(), Url = url };
        host.AdminToken = adminToken ?? app.Services.GetRequiredService<AdminTokenBootstrap>().CreatedText!;
        host.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminToken);
        return host;
    }

    public TempFolder DataFolder { get; }

    /// <summary>Where the host listens (loopback hosts; a TestServer's is a placeholder).</summary>
    public Uri Url { get; private init; } = null!;

    /// <summary>
    /// What the operator does offline (atym tuf init, add-delegation) and uploads: image root 1 and top-level targets
    /// delegating <c>compiler-linux-x86_64</c> to the server's online compiler key, and director root 1 listing the
    /// online director-targets key. Returns both root files, as a device is provisioned with them.
    /// </summary>
    /// <param name="sources">Source Wasm files the vendor delegation <c>vendor-acme</c> (containers <c>sensor-*</c>) lists, as
    /// <c>atym tuf sign --role vendor-acme --add sources/CONTAINER/VERSION/module.wasm=FILE</c> would (step 10).</param>
    public (byte[] ImageRoot, byte[] DirectorRoot) BootstrapTuf(params (string Container, string Version, string WasmFile)[] sources)
    {
        var keys = Service<FileOnlineKeyStore>();
        foreach (var role in OnlineRoleNames.All) keys.EnsureKey(role);
        var rootKey = Ed25519MetadataSigner.Generate();
        var targetsKey = Ed25519MetadataSigner.Generate();
        var images = Service<ImageRepository>();
        var imageRoot = MetadataSigning.Sign(RootPlan.Build(1, DateTimeOffset.UtcNow.AddDays(365), new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([rootKey.PublicKey], 1),
            ["targets"] = new([targetsKey.PublicKey], 1),
            ["snapshot"] = new([keys.Keys(OnlineRole.Snapshot)[^1].PublicKey], 1),
            ["timestamp"] = new([keys.Keys(OnlineRole.Timestamp)[^1].PublicKey], 1),
        }, consistentSnapshot: true), rootKey).ToBytes();
        images.AcceptRoot(imageRoot);
        var topLevel = new TargetsMetadata { Version = 1, Expires = DateTimeOffset.UtcNow.AddDays(90), Targets = EquatableMap<TargetFile>.Empty };
        topLevel = DelegationPlan.WithCompiler(topLevel, "linux-x86_64", new RoleAssignment([keys.Keys(OnlineRole.Compiler)[^1].PublicKey], 1));
        var vendorKey = Ed25519MetadataSigner.Generate();
        if (sources.Length > 0) topLevel = DelegationPlan.WithVendor(topLevel, "acme", new RoleAssignment([vendorKey.PublicKey], 1), ["sensor-*"]);
        images.AcceptTargets(MetadataSigning.Sign(topLevel, targetsKey).ToBytes());
        if (sources.Length > 0)
            images.AcceptDelegated(TargetPaths.VendorRole("acme"), MetadataSigning.Sign(new TargetsMetadata
            {
                Version = 1,
                Expires = DateTimeOffset.UtcNow.AddDays(180),
                Targets = new EquatableMap<TargetFile>(sources.Select(source => KeyValuePair.Create(
                    TargetPaths.Source(source.Container, source.Version), TargetFile.Describe(File.ReadAllBytes(source.WasmFile))))),
            }, vendorKey).ToBytes());
        var directorRootKey = Ed25519MetadataSigner.Generate();
        var directorRoot = MetadataSigning.Sign(RootPlan.Build(1, DateTimeOffset.UtcNow.AddDays(365), new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([directorRootKey.PublicKey], 1),
            ["targets"] = new([keys.Keys(OnlineRole.DirectorTargets)[^1].PublicKey], 1),
        }, consistentSnapshot: false), directorRootKey).ToBytes();
        Service<UptaneDirector>().AcceptRoot(directorRoot);
        return (imageRoot, directorRoot);
    }

    /// <summary>Imports <paramref name="reference"/> through <c>POST /api/v1/releases</c>, waits for its job to succeed, and returns the release id.</summary>
    public async Task<string> ImportAsync(string reference)
    {
        using var posted = await Client.PostAsync("/api/v1/releases",
            new StringContent($"{{\"reference\":\"{reference}\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var jobId = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        JsonElement job = default;
        await Wait.UntilAsync(() =>
        {
            using var response = Client.GetAsync($"/api/v1/jobs/{jobId}").Result;
            job = JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.Clone();
            return job.GetProperty("state").GetString() is "succeeded" or "failed";
        }, "the import to finish", TimeSpan.FromSeconds(120));
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        return job.GetProperty("resultId").GetString()!;
    }

    public string AdminToken { get; private set; } = "";

    /// <summary>Stops the host and hands back its data folder (for a restart).</summary>
    public async Task<TempFolder> StopAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        return DataFolder;
    }

    public async ValueTask DisposeAsync() => (await StopAsync()).Dispose();
}
