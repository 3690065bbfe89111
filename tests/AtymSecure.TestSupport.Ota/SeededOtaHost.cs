using System.Net.Http.Headers;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaReleases;
using AtymSecure.OtaRollouts;
using AtymSecure.OtaRollouts.Endpoints;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.TestSupport.Ota;

/// <summary>
/// The real OTA host (<c>atym ota serve</c>'s: operator auth, problem+json, LiteDB in a fresh folder) with the releases and
/// rollouts libraries registered and the deployment endpoints mapped, in a TestServer or on a loopback port, on a fake
/// clock (soak and device timeouts move only when a test says; it fires periodic timers, the rollout ticker's), seeded
/// with releases 1.0.0 and <see cref="SeededOtaHostOptions.V2Version"/> of sensor-filter and active devices in groups
/// eu/us. No registry is contacted: nothing here imports.
/// </summary>
public sealed class SeededOtaHost : IAsyncDisposable
{
    private readonly TempFolder _data;

    private SeededOtaHost(SeededOtaHostOptions options)
    {
        Options = options;
        Clock = new FakeTimeProvider(options.Now);
        _data = TempFolder.Create("seeded-ota-host");
    }

    public SeededOtaHostOptions Options { get; }

    public WebApplication App { get; private set; } = null!;

    /// <summary>A client of the operator API with the admin token.</summary>
    public HttpClient Client { get; private set; } = null!;

    public FakeTimeProvider Clock { get; }

    /// <summary>The base address without a trailing slash (the loopback one, or the TestServer's).</summary>
    public string Url { get; private set; } = "";

    public string AdminToken { get; private set; } = "";

    public Release V1 { get; private set; } = null!;

    public Release V2 { get; private set; } = null!;

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static string DeviceId(int i) => $"d{i:D2}";

    public static string GroupOf(int i) => i % 2 == 0 ? "eu" : "us";

    public static async Task<SeededOtaHost> StartAsync(SeededOtaHostOptions? options = null)
    {
        var host = new SeededOtaHost(options ?? new SeededOtaHostOptions());
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops the host (in-flight requests end as the server's shutdown ends them) and starts a new one on the same
    /// loopback port over the same data folder: a server restart as a client sees it. The seed is already stored, so it
    /// is not added again; <see cref="AdminToken"/> stays the one created first.
    /// </summary>
    public async Task RestartAsync()
    {
        if (!Options.Loopback) throw new InvalidOperationException("only a loopback host restarts on its port");
        var port = new Uri(Url).Port;
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        // The stored token is kept (the bootstrap creates none: CreatedText is null), so StartAsync keeps AdminToken
        // and its new Client carries it.
        await StartAsync($"127.0.0.1:{port}", seed: false);
    }

    private async Task StartAsync(string loopbackListen = "127.0.0.1:0", bool seed = true)
    {
        var vendorKey = _data.Write("vendor.pub", KeyGenerator.Generate().PublicKeyPem());
        var server = Options.Loopback
            ? new OtaServerOptions { DataDirectory = _data.Path, ListenUrl = loopbackListen, Policies = Options.Policies }.EnsureValid()
            : new OtaServerOptions { DataDirectory = _data.Path, ListenUrl = "http://127.0.0.1:0", Policies = Options.Policies };
        if (Options.Server is { } customize) server = customize(server);
        App = OtaServerHost.Build(server, builder =>
        {
            if (!Options.Loopback) builder.WebHost.UseTestServer();
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Services.AddOtaReleases(new OtaReleasesOptions
            {
                DataDirectory = _data.Path, Registry = "http://127.0.0.1:9", VendorKeyFiles = [vendorKey], CompilerKeyPassphrase = PassphraseSource.FromValue("unused-passphrase"),
            });
            builder.Services.AddOtaRollouts(new OtaRolloutsOptions { TickInterval = TimeSpan.FromHours(1) });
            Options.Configure?.Invoke(builder);
        });
        App.MapDeploymentEndpoints();
        Options.Map?.Invoke(App);
        await App.StartAsync();
        Url = (Options.Loopback ? OtaServerHost.ListeningAddress(App) : App.GetTestServer().BaseAddress).ToString().TrimEnd('/');
        AdminToken = Service<AdminTokenBootstrap>().CreatedText ?? AdminToken;
        Client = CreateAdminClient();
        if (!seed) return;
        var releases = Service<IReleaseStore>();
        V1 = await releases.AddOrGetAsync(Make("1.0.0", 0, 1));
        V2 = await releases.AddOrGetAsync(Make(Options.V2Version, 1, Options.V2Counter));
        var store = Service<IDeviceStore>();
        for (var i = 0; i < Options.Devices; i++) store.TryAdd((Options.Device ?? BareDevice)(i, Clock.GetUtcNow()));
    }

    /// <summary>A new client of the operator API with the admin token (the caller disposes it).</summary>
    public HttpClient CreateAdminClient()
    {
        var client = Options.Loopback ? new HttpClient { BaseAddress = new Uri(Url + "/") } : App.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    /// <summary>
    /// Stores a version report of <paramref name="device"/> running <paramref name="confirmed"/> (and <paramref name="trial"/>
    /// in its other slot) and hands it to the report listeners, as the device endpoint does.
    /// </summary>
    public async Task ReportAsync(string device, string confirmed, string? trial = null, TrialReport? lastTrial = null)
    {
        var container = new ContainerReport("sensor-filter", new SlotReport("a", confirmed, Sha("img" + confirmed), 1),
            trial is null ? null : new SlotReport("b", trial, Sha("img" + trial), 1), 3, new InstallReport("installed", null, null), lastTrial);
        var report = new VersionReport(device, "nonce-" + Guid.NewGuid().ToString("N"), 1764000000, "production", "0.1.0", [container], 1, null);
        var stored = Service<IDeviceReportStore>().TryAppend(new DeviceReport(device, 0, report.Nonce, Clock.GetUtcNow(),
            ProtocolJson.Base64Url(report.ToJson()), "sig"))!;
        foreach (var listener in App.Services.GetServices<IDeviceReportListener>()) await listener.OnReportStoredAsync(stored);
    }

    /// <summary>The report of <paramref name="device"/> running <paramref name="confirmed"/> after a confirmed trial of it.</summary>
    public Task ReportConfirmedAsync(string device, string confirmed) =>
        ReportAsync(device, confirmed, lastTrial: new TrialReport("confirmed", confirmed, "3 probes passed"));

    private static DeviceRecord BareDevice(int i, DateTimeOffset at) =>
        new(DeviceId(i), "pk", "fp", "linux-x86_64", "host", [], "0.1.0", DeviceState.Active, 1, [GroupOf(i)], EquatableMap<string>.Empty, at, at, 1);

    private static string Sha(string seed) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)).ToString();

    /// <summary>A counter above 1 makes the release a security fix.</summary>
    private static Release Make(string version, int minute, ulong counter) => new(Release.IdFor(Sha(version)), "sensor-filter", version, "127.0.0.1:9/samples/sensor-filter",
        Sha(version), Sha("wasm" + version), counter, counter > 1, new DateTimeOffset(2026, 12, 1, 0, minute, 0, TimeSpan.Zero), new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero),
        [new ReleaseImage("linux-x86_64", Sha("img" + version), 4096, ArtifactKind.WasmtimeNative, [], Sha("o"), Sha("r"))], []);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        _data.Dispose();
    }
}
