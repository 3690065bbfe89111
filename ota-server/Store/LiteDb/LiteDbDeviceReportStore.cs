using LiteDB;

namespace AtymSecure.OtaStore.LiteDb;

/// <summary>
/// <see cref="IDeviceReportStore"/> over <see cref="OtaDatabase"/>: collection <c>device_reports</c> keyed
/// <c>DEVICE/SEQUENCE</c> (zero-padded, so key order is sequence order), and <c>report_nonces</c> keyed
/// <c>DEVICE/NONCE</c>, which makes "nonce seen before" one primary-key lookup and keeps the check atomic with the append.
/// </summary>
public sealed class LiteDbDeviceReportStore : IDeviceReportStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<DeviceReport> _reports;
    private readonly ILiteCollection<BsonDocument> _nonces;

    public LiteDbDeviceReportStore(OtaDatabase database)
    {
        _database = database;
        _reports = new JsonCollection<DeviceReport>(database, "device_reports", Key,
            r => [("deviceId", r.DeviceId), ("sequence", r.Sequence)], "deviceId");
        _nonces = database.Database.GetCollection("report_nonces");
    }

    public DeviceReport? TryAppend(DeviceReport report) => _database.Write(() =>
    {
        var nonceKey = report.DeviceId + "/" + report.Nonce;
        if (_nonces.FindById(nonceKey) is not null) return null;
        var sequence = (Latest(report.DeviceId)?.Sequence ?? 0) + 1;
        var stored = report with { Sequence = sequence };
        _reports.Insert(stored);
        _nonces.Insert(new BsonDocument { ["_id"] = nonceKey });
        return stored;
    });

    public DeviceReport? Latest(string deviceId) => Recent(deviceId, 1).FirstOrDefault();

    public long LatestSequence(string deviceId) => Latest(deviceId)?.Sequence ?? 0;

    public IReadOnlyList<DeviceReport> Recent(string deviceId, int limit) =>
        _reports.Query("$.deviceId = @0", [deviceId], "_id", Math.Max(0, limit), descending: true).ToList();

    private static string Key(DeviceReport r) => $"{r.DeviceId}/{r.Sequence:D19}";
}
