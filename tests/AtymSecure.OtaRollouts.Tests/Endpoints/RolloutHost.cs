using System.Net.Http.Headers;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaReleases;
using AtymSecure.OtaRollouts.Endpoints;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.OtaRollouts.Tests.Endpoints;

/// <summary>
/// The real OTA host (operator auth, problem+json, LiteDB in a fresh folder) in a TestServer with the releases and
/// rollouts libraries registered and mapped, on a fake clock, seeded with two releases of sensor-filter and
/// <c>devices</c> active devices in groups eu/us. No registry is contacted: nothing here imports.
/// </summary>
internal sealed class RolloutHost : IAsyncDisposable
{
    private readonly TempFolder _data = TempFolder.Create("ota-rollouts-host");

    private RolloutHost() { }

    public WebApplication App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    public Release V1 { get; private set; } = null!;

    public Release V2 { get; private set; } = null!;

    public string AdminToken { get; private set; } = null!;

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<RolloutHost> StartAsync(int devices = 6)
    {
        var host = new RolloutHost();
        var vendorKey = host._data.Write("vendor.pub", KeyGenerator.Generate().PublicKeyPem());
        host.App = OtaServerHost.Build(new OtaServerOptions { DataDirectory = host._data.Path, ListenUrl = "http://127.0.0.1:0" }, builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.AddSingleton<TimeProvider>(host.Clock);
            builder.Services.AddOtaReleases(new OtaReleasesOptions
            {
                DataDirectory = host._data.Path, Registry = "http://127.0.0.1:9", VendorKeyFiles = [vendorKey], CompilerKeyPassphrase = PassphraseSource.FromValue("unused-passphrase"),
            });
            builder.Services.AddOtaRollouts(new OtaRolloutsOptions { TickInterval = TimeSpan.FromHours(1) });
        });
        host.App.MapDeploymentEndpoints();
        await host.App.StartAsync();
        host.Client = host.App.GetTestClient();
        host.AdminToken = host.App.Services.GetRequiredService<AdminTokenBootstrap>().CreatedText!;
        host.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminToken);
        var releases = host.Service<IReleaseStore>();
        host.V1 = await releases.AddOrGetAsync(Make("1.0.0", 0, 1));
        host.V2 = await releases.AddOrGetAsync(Make("2.0.0", 1, 2));
        var store = host.Service<IDeviceStore>();
        for (var i = 0; i < devices; i++)
            store.TryAdd(new DeviceRecord($"d{i:D2}", "pk", "fp", "linux-x86_64", "host", [], "0.1.0", DeviceState.Active, 1, [i % 2 == 0 ? "eu" : "us"],
                EquatableMap<string>.Empty, host.Clock.GetUtcNow(), host.Clock.GetUtcNow(), 1));
        return host;
    }

    private static string Sha(string seed) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)).ToString();

    /// <summary>The report of <paramref name="device"/> running <paramref name="confirmed"/> after a confirmed trial of it, stored and handed to the rollouts as the report endpoint does.</summary>
    public async Task ReportConfirmedAsync(string device, string confirmed)
    {
        var container = new ContainerReport("sensor-filter", new SlotReport("a", confirmed, Sha("img" + confirmed), 1), null, 3,
            new InstallReport("installed", null, null), new TrialReport("confirmed", confirmed, "3 probes passed"));
        var report = new VersionReport(device, "nonce-" + Guid.NewGuid().ToString("N"), 1764000000, "production", "0.1.0", [container], 1, null);
        var stored = Service<IDeviceReportStore>().TryAppend(new DeviceReport(device, 0, report.Nonce, Clock.GetUtcNow(), ProtocolJson.Base64Url(report.ToJson()), "sig"))!;
        await Service<IDeviceReportListener>().OnReportStoredAsync(stored);
    }

    /// <summary>1.0.0 has security counter 1, 2.0.0 (a security fix) 2.</summary>
    private static Release Make(string version, int minute, ulong counter) => new(Release.IdFor(Sha(version)), "sensor-filter", version, "127.0.0.1:9/samples/sensor-filter",
        Sha(version), Sha("wasm" + version), counter, counter > 1, new DateTimeOffset(2026, 12, 1, 0, minute, 0, TimeSpan.Zero), new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero),
        [new ReleaseImage("linux-x86_64", Sha("img" + version), 4096, ArtifactKind.WasmtimeNative, [], Sha("o"), Sha("r"))], []);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _data.Dispose();
    }
}
