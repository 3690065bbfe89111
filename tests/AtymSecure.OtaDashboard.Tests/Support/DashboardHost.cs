using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AtymSecure.Formats.Bundle;
using AtymSecure.OtaDashboard;
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

namespace AtymSecure.OtaDashboard.Tests.Support;

/// <summary>
/// The real OTA host (operator tokens, LiteDB in a fresh folder) in a TestServer with the releases, rollouts and dashboard
/// libraries registered and mapped, on a fake clock, seeded with two releases of sensor-filter and <c>devices</c> active
/// devices in groups eu/us. <paramref name="configure"/> may replace services (a counting device store). No registry is
/// contacted: nothing here imports.
/// </summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    private readonly TempFolder _data = TempFolder.Create("ota-dashboard-host");

    private DashboardHost() { }

    public WebApplication App { get; private set; } = null!;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    public Release V1 { get; private set; } = null!;

    public Release V2 { get; private set; } = null!;

    public string AdminToken { get; private set; } = null!;

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<DashboardHost> StartAsync(int devices = 6, Action<IServiceCollection>? configure = null)
    {
        var host = new DashboardHost();
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
            builder.Services.AddOtaDashboard();
            configure?.Invoke(builder.Services);
        });
        host.App.MapDeploymentEndpoints();
        host.App.MapOtaDashboard();
        await host.App.StartAsync();
        host.AdminToken = host.App.Services.GetRequiredService<AdminTokenBootstrap>().CreatedText!;
        var releases = host.Service<IReleaseStore>();
        host.V1 = await releases.AddOrGetAsync(Make("1.0.0", 0));
        host.V2 = await releases.AddOrGetAsync(Make("2.0.0", 1));
        var store = host.Service<IDeviceStore>();
        for (var i = 0; i < devices; i++) store.TryAdd(Device($"d{i:D2}", i % 2 == 0 ? "eu" : "us", host.Clock.GetUtcNow()));
        return host;
    }

    public static DeviceRecord Device(string id, string group, DateTimeOffset at, string deviceClass = "linux-x86_64") =>
        new(id, "pk", "fp", deviceClass, "host", [new DevicePartition("sensor-filter", 1 << 20)], "0.1.0", DeviceState.Active, 1, [group],
            new EquatableMap<string>([KeyValuePair.Create("site", group == "eu" ? "lab" : "field")]), at, at, 1);

    /// <summary>A client of the operator API with the admin token.</summary>
    public HttpClient Api()
    {
        var client = App.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    /// <summary>A new operator token of <paramref name="role"/> (through the API), optionally scoped to groups.</summary>
    public async Task<string> TokenAsync(string role, params string[] groups)
    {
        using var api = Api();
        var created = await api.PostAsJsonAsync("/api/v1/tokens", new { label = role + " for tests", role, groups });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <summary>A browser-like client of the dashboard (keeps cookies) over <paramref name="scheme"/>.</summary>
    public UiClient Ui(string scheme = "http")
    {
        var server = App.GetTestServer();
        server.BaseAddress = new Uri($"{scheme}://dashboard.test/");
        return new UiClient(server.CreateClient());
    }

    /// <summary>A deployment of <see cref="V2"/> to eu and us, created through the service as the admin.</summary>
    public Task<DeploymentState> DeploymentAsync(int canary = 0) => Service<AtymSecure.OtaRollouts.Service.RolloutService>().CreateAsync(
        new AtymSecure.OtaRollouts.Service.DeploymentRequest(V2.Id, new AtymSecure.OtaRollouts.Service.DeploymentTargetRequest(["eu", "us"]), Canary: canary),
        new AtymSecure.OtaContracts.OperatorIdentity("0admin00", "admin", AtymSecure.OtaContracts.OperatorRole.Admin, []));

    private static string Sha(string seed) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)).ToString();

    private static Release Make(string version, int minute) => new(Release.IdFor(Sha(version)), "sensor-filter", version, "127.0.0.1:9/samples/sensor-filter",
        Sha(version), Sha("wasm" + version), 1, false, new DateTimeOffset(2026, 12, 1, 0, minute, 0, TimeSpan.Zero), new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero),
        [new ReleaseImage("linux-x86_64", Sha("img" + version), 4096, ArtifactKind.WasmtimeNative, [], Sha("o"), Sha("r"))], []);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        _data.Dispose();
    }
}
