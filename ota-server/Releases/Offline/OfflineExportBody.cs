using System.Text.Json;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaContracts;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Offline;

/// <summary>
/// The body of <c>POST /api/v1/offline-exports</c> and <c>atym ota export-offline</c>:
/// <c>{"devices": ["atym-…", …], "lifetimeDays": 30}</c> (lifetime optional, 1–90).
/// </summary>
public sealed record OfflineExportBody(IReadOnlyList<string>? Devices, int? LifetimeDays)
{
    public const int MaxBytes = 160 * 1024;

    public string ToJson() => JsonSerializer.Serialize(this, RequestJson.Strict);

    /// <exception cref="ProblemException">Not JSON, unknown fields, no devices, a lifetime out of range.</exception>
    public static OfflineExportRequest Parse(ReadOnlySpan<byte> utf8)
    {
        var body = RequestJson.Deserialize<OfflineExportBody>(utf8, RequestJson.Strict, "offline export refused", ReleaseProblemCodes.RequestInvalid);
        var max = (int)OfflineDirectorCustom.MaxLifetime.TotalDays;
        if (body?.Devices is not { Count: > 0 } devices || devices.Any(d => d is null))
            throw new ProblemException("offline export refused", [new Problem(ReleaseProblemCodes.RequestInvalid, "$.devices", "expected a non-empty array of device ids")]);
        if (devices.Distinct(StringComparer.Ordinal).Count() != devices.Count)
            throw new ProblemException("offline export refused", [new Problem(ReleaseProblemCodes.RequestInvalid, "$.devices", "a device is listed twice")]);
        if (body.LifetimeDays is { } days && (days < 1 || days > max))
            throw new ProblemException("offline export refused", [new Problem(ReleaseProblemCodes.RequestInvalid, "$.lifetimeDays", $"1 to {max} days")]);
        return new OfflineExportRequest(new EquatableList<string>(devices),
            body.LifetimeDays is { } d ? TimeSpan.FromDays(d) : OfflineDirectorCustom.DefaultLifetime);
    }
}
