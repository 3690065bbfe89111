using System.Diagnostics.Metrics;
using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Metrics;

/// <summary>
/// The service's own metrics (docs/ota-server.md, "Metrics"), on the <see cref="MeterName"/> meter that /metrics
/// exports through OpenTelemetry: polls by result, bundle bytes by kind (the releases library counts them through
/// <see cref="IOtaMetrics"/>), enrolled devices by state and active deployments (observed when scraped). Request latency
/// is ASP.NET Core's own <c>http.server.request.duration</c> histogram.
/// </summary>
public sealed class OtaMeters : IOtaMetrics, IDisposable
{
    public const string MeterName = "AtymSecure.Ota";

    private readonly Meter _meter;
    private readonly Counter<long> _polls;
    private readonly Counter<long> _bundleBytes;
    private long _activeDeployments;

    public OtaMeters(IMeterFactory factory, IDeviceStore devices)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _meter = factory.Create(MeterName);
        _polls = _meter.CreateCounter<long>("atym_ota_polls", description: "Device polls by result: changed (200) or not-modified (304)");
        _bundleBytes = _meter.CreateCounter<long>("atym_ota_bundle_bytes", unit: "By", description: "Bundle bytes sent to devices, by kind (full, delta)");
        _meter.CreateObservableGauge("atym_ota_devices", () => Enum.GetValues<DeviceState>()
            .Select(s => new Measurement<long>(devices.Count(s), new KeyValuePair<string, object?>("state", Api.DeviceView.StateName(s)))),
            description: "Enrolled devices by state");
        _meter.CreateObservableGauge("atym_ota_active_deployments", () => Interlocked.Read(ref _activeDeployments),
            description: "Rollout deployments awaiting approval, scheduled, running or paused");
    }

    public void Poll(string result) => _polls.Add(1, new KeyValuePair<string, object?>("result", result));

    public void BundleBytesServed(BundleKind kind, long bytes) =>
        _bundleBytes.Add(bytes, new KeyValuePair<string, object?>("kind", kind == BundleKind.Delta ? "delta" : "full"));

    public void SetActiveDeployments(long count) => Interlocked.Exchange(ref _activeDeployments, count);

    public void Dispose() => _meter.Dispose();
}
