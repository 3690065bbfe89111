using LiteDB;

namespace AtymSecure.OtaStore.LiteDb;

/// <summary><see cref="IDeviceStore"/> over <see cref="OtaDatabase"/> (collection <c>devices</c>, indexed by state and groups).</summary>
public sealed class LiteDbDeviceStore : IDeviceStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<DeviceRecord> _devices;

    public LiteDbDeviceStore(OtaDatabase database)
    {
        _database = database;
        _devices = new JsonCollection<DeviceRecord>(database, "devices", d => d.Id,
            d => [("state", d.State.ToString()), ("groups", new BsonArray(d.Groups.Select(g => new BsonValue(g))))], "state");
    }

    public bool TryAdd(DeviceRecord device) => _database.Write(() => _devices.Insert(device with { Revision = 1 }));

    public DeviceRecord? Find(string id) => _devices.Find(id);

    public DeviceRecord? TryUpdate(DeviceRecord device, long expectedRevision) => _database.Write(() =>
    {
        if (_devices.Find(device.Id) is not { } stored || stored.Revision != expectedRevision) return null;
        var updated = device with { Revision = expectedRevision + 1 };
        _devices.Upsert(updated);
        return updated;
    });

    public IReadOnlyList<DeviceRecord> List(string? afterId, int limit, string? group = null)
    {
        var conditions = new List<string>();
        var parameters = new List<BsonValue>();
        if (afterId is not null)
        {
            conditions.Add($"$._id > @{parameters.Count}");
            parameters.Add(afterId);
        }
        if (group is not null)
        {
            conditions.Add($"$.groups[*] ANY = @{parameters.Count}");
            parameters.Add(group);
        }
        var where = conditions.Count == 0 ? null : string.Join(" AND ", conditions);
        return _devices.Query(where, [.. parameters], "_id", Math.Max(0, limit)).ToList();
    }

    public long Count(DeviceState state) => _devices.Count("state", state.ToString());
}
