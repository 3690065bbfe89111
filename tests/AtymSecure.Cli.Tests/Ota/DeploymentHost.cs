using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaReleases;
using AtymSecure.OtaRollouts;
using AtymSecure.OtaRollouts.Endpoints;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// The real OTA host (<c>atym ota serve</c>'s, operator auth and problem+json) on a loopback port with the releases and
/// rollouts libraries, on a fake clock (soak and device timeouts move only when a test says), seeded with releases
/// 1.0.0 and 1.1.0 of sensor-filter and 8 active devices in groups eu/us (d00…d07, d00 tagged site=berlin) that run 1.0.0. Nothing is imported
/// (no registry is contacted); device reports are stored and handed to the rollout service as the device endpoint does.
/// </summary>
public sealed class DeploymentHost : IAsyncLifetime
{
    public const int DeviceCount = 8;

    private readonly TempFolder _data = TempFolder.Create("cli-ota-deploy");
    private WebApplication? _app;

    /// <summary>A fake clock that fires periodic timers (the rollout ticker's; <see cref="VirtualClock"/> fires one-shot timers only).</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));

    public string Url { get; private set; } = "";

    public string AdminToken { get; private set; } = "";

    public Release V1 { get; private set; } = null!;

    public Release V2 { get; private set; } = null!;

    public RolloutService Rollouts => _app!.Services.GetRequiredService<RolloutService>();

    public string[] Server(params string[] args) => [.. args, "--server", Url, "--token", AdminToken];

    public async Task InitializeAsync()
    {
        var vendorKey = _data.Write("vendor.pub", KeyGenerator.Generate().PublicKeyPem());
        _app = OtaServerHost.Build(new OtaServerOptions { DataDirectory = _data.Path, ListenUrl = "127.0.0.1:0" }.EnsureValid(), builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Services.AddOtaReleases(new OtaReleasesOptions
            {
                DataDirectory = _data.Path, Registry = "http://127.0.0.1:9", VendorKeyFiles = [vendorKey], CompilerKeyPassphrase = PassphraseSource.FromValue("unused-passphrase"),
            });
            builder.Services.AddOtaRollouts(new OtaRolloutsOptions { TickInterval = TimeSpan.FromHours(1) });
        });
        _app.MapDeploymentEndpoints();
        await _app.StartAsync();
        Url = OtaServerHost.ListeningAddress(_app).ToString().TrimEnd('/');
        AdminToken = _app.Services.GetRequiredService<AdminTokenBootstrap>().CreatedText!;
        var releases = _app.Services.GetRequiredService<IReleaseStore>();
        V1 = await releases.AddOrGetAsync(Make("1.0.0", 0));
        V2 = await releases.AddOrGetAsync(Make("1.1.0", 1));
        var devices = _app.Services.GetRequiredService<IDeviceStore>();
        for (var i = 0; i < DeviceCount; i++)
        {
            devices.TryAdd(new DeviceRecord(Device(i), "pk", "fp", "linux-x86_64", "host", [], "0.1.0", DeviceState.Active, 1, [i % 2 == 0 ? "eu" : "us"],
                i == 0 ? new EquatableMap<string>(new Dictionary<string, string> { ["site"] = "berlin" }) : EquatableMap<string>.Empty, Clock.GetUtcNow(), Clock.GetUtcNow(), 1));
            await ReportAsync(Device(i), confirmed: "1.0.0");
        }
    }

    public static string Device(int i) => $"d{i:D2}";

    /// <summary>Stores a version report of <paramref name="device"/> and hands it to the rollout service (what the device endpoint does).</summary>
    public async Task ReportAsync(string device, string confirmed, string? trial = null, TrialReport? lastTrial = null)
    {
        var container = new ContainerReport("sensor-filter", new SlotReport("a", confirmed, Sha("img" + confirmed), 1),
            trial is null ? null : new SlotReport("b", trial, Sha("img" + trial), 1), 3, new InstallReport("installed", null, null), lastTrial);
        var report = new VersionReport(device, "nonce-" + Guid.NewGuid().ToString("N"), 1764000000, "production", "0.1.0", [container], 1, null);
        var stored = _app!.Services.GetRequiredService<IDeviceReportStore>().TryAppend(new DeviceReport(device, 0, report.Nonce, Clock.GetUtcNow(),
            ProtocolJson.Base64Url(report.ToJson()), "sig"))!;
        await Rollouts.OnReportStoredAsync(stored);
    }

    private static string Sha(string seed) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)).ToString();

    private static Release Make(string version, int minute) => new(Release.IdFor(Sha(version)), "sensor-filter", version, "127.0.0.1:9/samples/sensor-filter",
        Sha(version), Sha("wasm" + version), 1, false, new DateTimeOffset(2026, 12, 1, 0, minute, 0, TimeSpan.Zero), new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero),
        [new ReleaseImage("linux-x86_64", Sha("img" + version), 4096, ArtifactKind.WasmtimeNative, [], Sha("o"), Sha("r"))], []);

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _data.Dispose();
    }
}
