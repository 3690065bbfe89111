using AtymSecure.Primitives;
using LiteDB;

namespace AtymSecure.OtaStore.LiteDb;

/// <summary><see cref="IDeviceStore"/> over <see cref="OtaDatabase"/> (collection <c>devices</c>, indexed by state and groups;
/// class, tags (<c>key=value</c>), the last report's time (UTC ticks) and containers (<c>container=version</c>) copied beside
/// the JSON for <see cref="Query"/>).</summary>
public sealed class LiteDbDeviceStore : IDeviceStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<DeviceRecord> _devices;

    public LiteDbDeviceStore(OtaDatabase database)
    {
        _database = database;
        _devices = new JsonCollection<DeviceRecord>(database, "devices", d => d.Id,
            d =>
            [
                ("state", d.State.ToString()), ("groups", new BsonArray(d.Groups.Select(g => new BsonValue(g)))), ("class", d.DeviceClass),
                ("tags", new BsonArray(d.Tags.Select(t => new BsonValue(DeviceQuery.TagText(t.Key, t.Value))))),
                ("seen", d.Seen is { } s ? new BsonValue(s.At.UtcTicks) : BsonValue.Null),
                ("containers", new BsonArray((d.Seen?.Confirmed ?? EquatableMap<string>.Empty).Select(c => new BsonValue(DeviceSighting.VersionText(c.Key, c.Value))))),
            ], "state");
        // Devices stored before class and tags were copied beside the JSON get them once.
        _database.Write(() => _devices.Backfill("class"));
    }

    public bool TryAdd(DeviceRecord device) => _database.Write(() => _devices.Insert(device with { Revision = 1 }));

    public DeviceRecord? Find(string id) => _devices.Find(id);

    public DeviceRecord? TryUpdate(DeviceRecord device, long expectedRevision) => _database.Write(() =>
    {
        if (_devices.Find(device.Id) is not { } stored || stored.Revision != expectedRevision) return null;
        var updated = device with { Revision = expectedRevision + 1, Seen = stored.Seen };
        _devices.Upsert(updated);
        return updated;
    });

    public bool RecordSeen(string id, DeviceSighting seen) => _database.Write(() =>
    {
        if (_devices.Find(id) is not { } stored) return false;
        _devices.Upsert(stored with { Seen = seen });
        return true;
    });

    public IReadOnlyList<DeviceRecord> List(string? afterId, int limit, string? group = null) => Query(DeviceQuery.All with { Group = group }, afterId, limit);

    public IReadOnlyList<DeviceRecord> Query(DeviceQuery query, string? afterId, int limit)
    {
        ArgumentNullException.ThrowIfNull(query);
        var conditions = new List<string>();
        var parameters = new List<BsonValue>();
        void Add(string condition, BsonValue value)
        {
            conditions.Add(condition.Replace("@p", "@" + parameters.Count, StringComparison.Ordinal));
            parameters.Add(value);
        }
        if (afterId is not null) Add("$._id > @p", afterId);
        if (query.IdPrefix is { Length: > 0 } prefix)
        {
            Add("$._id >= @p", prefix);
            Add("$._id < @p", prefix + char.MaxValue);
        }
        if (query.Group is not null) Add("$.groups[*] ANY = @p", query.Group);
        if (query.TagKey is not null) Add("$.tags[*] ANY = @p", DeviceQuery.TagText(query.TagKey, query.TagValue ?? ""));
        if (query.DeviceClass is not null) Add("$.class = @p", query.DeviceClass);
        if (query.State is { } state) Add("$.state = @p", state.ToString());
        if (query.Container is not null) Add("$.containers[*] ANY = @p", DeviceSighting.VersionText(query.Container, query.ContainerVersion ?? ""));
        if (query.SeenBefore is { } before) Add("($.seen = null OR $.seen < @p)", before.UtcTicks);
        if (query.SeenSince is { } since) Add("$.seen >= @p", since.UtcTicks);
        var where = conditions.Count == 0 ? null : string.Join(" AND ", conditions);
        return _devices.Query(where, [.. parameters], "_id", Math.Max(0, limit)).ToList();
    }

    public long Count(DeviceState state) => _devices.Count("state", state.ToString());
}
