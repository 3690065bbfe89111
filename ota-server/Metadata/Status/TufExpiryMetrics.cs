using System.Diagnostics.Metrics;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Repository;

namespace AtymSecure.OtaMetadata.Status;

/// <summary>
/// The expiry gauges for the OTA service's <c>/metrics</c> (register the meter <see cref="MeterName"/> with
/// OpenTelemetry): <c>atym_tuf_role_expiry_seconds</c> (seconds left, negative once expired) and
/// <c>atym_tuf_role_expiry_level</c> (0 ok, 1 warning, 2 alarm, 3 expired), tagged with repository and role, read
/// from the published files at each scrape, the same judgement as <c>atym tuf status</c>.
/// </summary>
public sealed class TufExpiryMetrics : IDisposable
{
    public const string MeterName = "AtymSecure.OtaMetadata";

    private readonly Meter _meter;

    public TufExpiryMetrics(ImageRepository image, UptaneDirector director, TimeProvider clock, IMeterFactory? factory = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(director);
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        IEnumerable<RoleExpiry> Report() => ExpiryReport.Of(image.Published, director.Roots.Current, image.Options, clock.GetUtcNow());
        _meter.CreateObservableGauge("atym_tuf_role_expiry_seconds", () => Report().Select(r => new Measurement<double>(r.Left.TotalSeconds, Tags(r))),
            unit: "s", description: "Seconds until a TUF/Uptane role's published metadata expires");
        _meter.CreateObservableGauge("atym_tuf_role_expiry_level", () => Report().Select(r => new Measurement<int>((int)r.Level, Tags(r))),
            description: "0 ok, 1 warning (offline role < 30 d left), 2 alarm (online role < 25 % of its life left), 3 expired");
    }

    private static KeyValuePair<string, object?>[] Tags(RoleExpiry role) =>
        [new("repository", role.Repository), new("role", role.Role)];

    public void Dispose() => _meter.Dispose();
}
