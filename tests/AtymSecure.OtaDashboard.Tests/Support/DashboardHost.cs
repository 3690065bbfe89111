using System.Net.Http.Json;
using System.Text.Json;
using AtymSecure.OtaReleases;
using AtymSecure.OtaRollouts;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport.Ota;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.OtaDashboard.Tests.Support;

/// <summary>
/// The <see cref="SeededOtaHost"/> (TestServer) with the dashboard library registered and mapped too, its devices with a
/// sensor-filter partition and a site label, and both releases at security counter 1. <c>configure</c> may replace services
/// (a counting device store). Adds the dashboard's clients: the operator API, new tokens, a browser-like UI client.
/// </summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    private readonly SeededOtaHost _host;

    private DashboardHost(SeededOtaHost host) => _host = host;

    public WebApplication App => _host.App;

    public FakeTimeProvider Clock => _host.Clock;

    public Release V1 => _host.V1;

    public Release V2 => _host.V2;

    public string AdminToken => _host.AdminToken;

    public T Service<T>() where T : notnull => _host.Service<T>();

    public static async Task<DashboardHost> StartAsync(int devices = 6, Action<IServiceCollection>? configure = null) =>
        new(await SeededOtaHost.StartAsync(new SeededOtaHostOptions
        {
            Devices = devices,
            V2Counter = 1,
            Device = (i, at) => Device(SeededOtaHost.DeviceId(i), SeededOtaHost.GroupOf(i), at),
            Configure = builder =>
            {
                builder.Services.AddOtaDashboard();
                configure?.Invoke(builder.Services);
            },
            Map = app => app.MapOtaDashboard(),
        }));

    public static DeviceRecord Device(string id, string group, DateTimeOffset at, string deviceClass = "linux-x86_64") =>
        new(id, "pk", "fp", deviceClass, "host", [new DevicePartition("sensor-filter", 1 << 20)], "0.1.0", DeviceState.Active, 1, [group],
            new EquatableMap<string>([KeyValuePair.Create("site", group == "eu" ? "lab" : "field")]), at, at, 1);

    /// <summary>A client of the operator API with the admin token.</summary>
    public HttpClient Api() => _host.CreateAdminClient();

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

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
