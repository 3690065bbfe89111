using AtymSecure.Cli.Ota;
using AtymSecure.Cli.Up;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaReleases;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport.Ota;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.Cli.Tests.Up;

/// <summary>
/// The real OTA host on a loopback port (<see cref="SeededOtaHost"/>, fake clock) as <c>atym up</c>'s pieces meet it:
/// releases 1.0.0 and 1.1.0 of sensor-filter, <see cref="DeviceCount"/> active devices in the demo's group that never
/// reported, and the demo's API client and operator. <see cref="RespondAsync"/> plays the fleet from the server's side:
/// every offered device reports the version confirmed after its trial (or, when told, reverted with a probe's reason),
/// and a soaking wave's soak is passed on the fake clock.
/// </summary>
public sealed class DemoHost : IAsyncLifetime
{
    public const int DeviceCount = 4;

    public const string ProbeReason = "health probe failed: stuck at 0";

    private readonly SemaphoreSlim _changed = new(0);
    private SeededOtaHost? _host;

    public FakeTimeProvider Clock => _host!.Clock;

    public Release V1 => _host!.V1;

    public Release V2 => _host!.V2;

    public RolloutService Rollouts => _host!.Service<RolloutService>();

    internal OtaApiClient Api { get; private set; } = null!;

    internal DemoOperator Operator => new(Api);

    public T Service<T>() where T : notnull => _host!.Service<T>();

    public async Task InitializeAsync()
    {
        _host = await SeededOtaHost.StartAsync(new SeededOtaHostOptions
        {
            Loopback = true,
            Now = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero),
            Devices = DeviceCount,
            V2Version = "1.1.0",
            V2Counter = 1,
            Device = (i, at) => Device(SeededOtaHost.DeviceId(i), DeviceState.Active, DemoPlan.Group, at),
        });
        Api = new OtaApiClient(new Uri(_host.Url + "/"), _host.AdminToken);
        Rollouts.Published += _ => _changed.Release();
    }

    /// <summary>
    /// Tells <see cref="RespondAsync"/> to look again: for a change it cannot see published by the server (a line the
    /// watcher said, which a <c>passSoak</c> condition reads).
    /// </summary>
    public void Wake() => _changed.Release();

    /// <summary>A device record as enrolment leaves it: of this machine's class, in <paramref name="group"/>.</summary>
    public static DeviceRecord Device(string id, DeviceState state, string group, DateTimeOffset at) =>
        new(id, "pk", "fp-" + id, "linux-x86_64", "host", [], "0.1.0", state, 1, [group], EquatableMap<string>.Empty, at, at, 1);

    /// <inheritdoc cref="SeededOtaHost.ReportConfirmedAsync"/>
    public Task ReportConfirmedAsync(string device, string version) => _host!.ReportConfirmedAsync(device, version);

    /// <summary>The report of <paramref name="device"/> with <paramref name="version"/> in its trial slot (an earlier version confirmed).</summary>
    public Task ReportOnTrialAsync(string device, string version) => _host!.ReportAsync(device, "0.9.0", trial: version);

    /// <summary>
    /// Until <paramref name="ct"/> is cancelled: answers each offer once — confirmed after its trial, or, when
    /// <paramref name="fails"/> says so for (version, device), reverted to what the device ran before with <see cref="ProbeReason"/>
    /// — and passes the soak of a wave that finished (the clock moves to its end, then the rollouts tick), once
    /// <paramref name="passSoak"/> allows it for the deployment as it is (default: at once).
    /// </summary>
    public async Task RespondAsync(Func<string, string, bool> fails, CancellationToken ct, Func<DeploymentState, bool>? passSoak = null)
    {
        var answered = new HashSet<(string, string)>();
        while (!ct.IsCancellationRequested)
        {
            foreach (var s in Rollouts.List())
            {
                foreach (var id in s.Devices.Select(d => d.DeviceId))
                {
                    // As it is now: an earlier answer may have halted the deployment and withdrawn this offer.
                    if (Rollouts.Find(s.Id)!.Device(id) is not { State: DeviceRolloutState.Offered } d || !answered.Add((s.Id, id))) continue;
                    if (fails(s.Spec.Version, d.DeviceId))
                        await _host!.ReportAsync(d.DeviceId, d.FromVersion ?? "0.9.0", lastTrial: new TrialReport(TrialReport.Failed, s.Spec.Version, ProbeReason));
                    else await _host!.ReportConfirmedAsync(d.DeviceId, s.Spec.Version);
                }
                if (s.IsActive && s.SoakUntil is { } until && Clock.GetUtcNow() < until && s.Wave + 1 < s.WaveCount && (passSoak?.Invoke(s) ?? true))
                {
                    Clock.Advance(until - Clock.GetUtcNow());
                    await Rollouts.TickAsync(CancellationToken.None);
                }
            }
            try
            {
                // The next look waits for a change: every deployment state the server saves is published, and Wake covers the
                // rest. A change between the look above and this wait is counted by the semaphore, so none is missed.
                await _changed.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        _changed.Dispose();
    }
}
