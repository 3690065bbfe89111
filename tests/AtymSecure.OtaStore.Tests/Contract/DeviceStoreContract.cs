namespace AtymSecure.OtaStore.Tests.Contract;

/// <summary>What every <see cref="IDeviceStore"/> and <see cref="IPreauthorizedKeyStore"/> must do.</summary>
public abstract class DeviceStoreContract(IStoreFixture fixture) : IDisposable
{
    private readonly StoreSet _stores = fixture.Open();

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void A_device_reads_back_equal_with_revision_one_and_survives_a_restart()
    {
        var device = Samples.Device("atym-0000000000000001", DeviceState.Pending, "eu-test");
        Assert.True(_stores.Devices.TryAdd(device));
        Assert.False(_stores.Devices.TryAdd(device));
        Assert.Equal(device with { Revision = 1 }, _stores.Devices.Find(device.Id));
        Assert.Equal(device with { Revision = 1 }, fixture.Reopen().Devices.Find(device.Id));
    }

    [Fact]
    public void An_update_from_a_stale_revision_is_refused_and_changes_nothing()
    {
        _stores.Devices.TryAdd(Samples.Device("atym-0000000000000002"));
        var stored = _stores.Devices.Find("atym-0000000000000002")!;
        var updated = _stores.Devices.TryUpdate(stored with { Epoch = 2 }, stored.Revision);
        Assert.Equal(2, updated!.Revision);
        Assert.Null(_stores.Devices.TryUpdate(stored with { Epoch = 9 }, stored.Revision));
        Assert.Equal(2, _stores.Devices.Find(stored.Id)!.Epoch);
        Assert.Null(_stores.Devices.TryUpdate(Samples.Device("atym-ffffffffffffffff"), 1));
    }

    [Fact]
    public void Devices_page_by_id_filter_by_group_and_count_by_state()
    {
        foreach (var (id, state, group) in new[] { ("atym-3", DeviceState.Active, "eu-test"), ("atym-1", DeviceState.Pending, "us"), ("atym-2", DeviceState.Active, "eu-test") })
            _stores.Devices.TryAdd(Samples.Device(id, state, group));
        Assert.Equal(["atym-1", "atym-2"], _stores.Devices.List(null, 2).Select(d => d.Id));
        Assert.Equal(["atym-3"], _stores.Devices.List("atym-2", 2).Select(d => d.Id));
        Assert.Equal(["atym-2", "atym-3"], _stores.Devices.List(null, 10, "eu-test").Select(d => d.Id));
        Assert.Empty(_stores.Devices.List(null, 10, "nowhere"));
        Assert.Equal(2, _stores.Devices.Count(DeviceState.Active));
        Assert.Equal(1, _stores.Devices.Count(DeviceState.Pending));
        Assert.Equal(0, _stores.Devices.Count(DeviceState.Decommissioned));
    }

    [Fact]
    public void A_query_filters_by_id_prefix_group_tag_class_and_state_and_pages_after_an_id()
    {
        DeviceRecord Make(string id, string cls, string site, DeviceState state, string group) =>
            Samples.Device(id, state, group) with { DeviceClass = cls, Tags = new AtymSecure.Primitives.EquatableMap<string>([KeyValuePair.Create("site", site)]) };
        _stores.Devices.TryAdd(Make("atym-a1", "linux-x86_64", "lab", DeviceState.Active, "eu"));
        _stores.Devices.TryAdd(Make("atym-a2", "portable-pulley64", "lab", DeviceState.Active, "eu"));
        _stores.Devices.TryAdd(Make("atym-a3", "portable-pulley64", "field", DeviceState.Pending, "us"));
        _stores.Devices.TryAdd(Make("atym-b1", "portable-pulley64", "field", DeviceState.Active, "us"));
        IEnumerable<string> Ids(DeviceQuery q, string? after = null, int limit = 10) => _stores.Devices.Query(q, after, limit).Select(d => d.Id);

        Assert.Equal(["atym-a1", "atym-a2", "atym-a3", "atym-b1"], Ids(DeviceQuery.All));
        Assert.Equal(["atym-a1", "atym-a2", "atym-a3"], Ids(new DeviceQuery(IdPrefix: "atym-a")));
        Assert.Equal(["atym-b1"], Ids(new DeviceQuery(IdPrefix: "atym-b1")));
        Assert.Empty(Ids(new DeviceQuery(IdPrefix: "atym-c")));
        Assert.Equal(["atym-a3", "atym-b1"], Ids(new DeviceQuery(Group: "us")));
        Assert.Equal(["atym-a3", "atym-b1"], Ids(new DeviceQuery(TagKey: "site", TagValue: "field")));
        Assert.Empty(Ids(new DeviceQuery(TagKey: "site", TagValue: "fiel")));
        Assert.Equal(["atym-a2", "atym-a3", "atym-b1"], Ids(new DeviceQuery(DeviceClass: "portable-pulley64")));
        Assert.Equal(["atym-a3"], Ids(new DeviceQuery(State: DeviceState.Pending)));
        Assert.Equal(["atym-b1"], Ids(new DeviceQuery(IdPrefix: "atym", Group: "us", TagKey: "site", TagValue: "field", DeviceClass: "portable-pulley64", State: DeviceState.Active)));
        // Paging: the page after an id, at most the limit, with the filter still applied.
        Assert.Equal(["atym-a2"], Ids(new DeviceQuery(DeviceClass: "portable-pulley64"), limit: 1));
        Assert.Equal(["atym-a3", "atym-b1"], Ids(new DeviceQuery(DeviceClass: "portable-pulley64"), after: "atym-a2"));
        Assert.Equal(["atym-a2"], Ids(new DeviceQuery(IdPrefix: "atym-a"), after: "atym-a1", limit: 1));
        // A tag change is seen by the next query.
        var b1 = _stores.Devices.Find("atym-b1")!;
        _stores.Devices.TryUpdate(b1 with { Tags = new AtymSecure.Primitives.EquatableMap<string>([KeyValuePair.Create("site", "lab")]) }, b1.Revision);
        Assert.Equal(["atym-a1", "atym-a2", "atym-b1"], Ids(new DeviceQuery(TagKey: "site", TagValue: "lab")));
        Assert.Equal(["atym-a1", "atym-a2", "atym-b1"], Ids(new DeviceQuery(TagKey: "site", TagValue: "lab"), limit: 3));
    }

    [Fact]
    public void A_query_filters_by_a_containers_confirmed_version_and_by_last_seen_and_an_update_keeps_the_sighting()
    {
        var at = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        DeviceSighting Seen(double hoursAgo, string version) =>
            new(at.AddHours(-hoursAgo), new AtymSecure.Primitives.EquatableMap<string>([KeyValuePair.Create("sensor-filter", version), KeyValuePair.Create("other", "9.0.0")]));
        foreach (var id in new[] { "atym-s1", "atym-s2", "atym-s3", "atym-s4" }) _stores.Devices.TryAdd(Samples.Device(id));
        Assert.True(_stores.Devices.RecordSeen("atym-s1", Seen(0.1, "1.0.0")));
        Assert.True(_stores.Devices.RecordSeen("atym-s2", Seen(3, "1.1.0")));
        Assert.True(_stores.Devices.RecordSeen("atym-s3", Seen(48, "1.0.0"))); // atym-s4 never reported
        Assert.False(_stores.Devices.RecordSeen("atym-none", Seen(0, "1.0.0")));
        IEnumerable<string> Ids(DeviceQuery q, string? after = null, int limit = 10) => _stores.Devices.Query(q, after, limit).Select(d => d.Id);

        Assert.Equal(["atym-s1", "atym-s3"], Ids(new DeviceQuery(Container: "sensor-filter", ContainerVersion: "1.0.0")));
        Assert.Equal(["atym-s2"], Ids(new DeviceQuery(Container: "sensor-filter", ContainerVersion: "1.1.0")));
        Assert.Empty(Ids(new DeviceQuery(Container: "sensor-filter", ContainerVersion: "1.0")));
        Assert.Equal(["atym-s1", "atym-s2", "atym-s3"], Ids(new DeviceQuery(Container: "other", ContainerVersion: "9.0.0")));
        // Not seen for an hour: seen longer ago, or never.
        Assert.Equal(["atym-s2", "atym-s3", "atym-s4"], Ids(new DeviceQuery(SeenBefore: at.AddHours(-1))));
        // Seen in the last 24 hours (an instant in another offset is the same instant).
        Assert.Equal(["atym-s1", "atym-s2"], Ids(new DeviceQuery(SeenSince: at.AddHours(-24).ToOffset(TimeSpan.FromHours(5)))));
        Assert.Equal(["atym-s2"], Ids(new DeviceQuery(SeenBefore: at.AddHours(-1), SeenSince: at.AddHours(-24))));
        Assert.Equal(["atym-s3"], Ids(new DeviceQuery(Container: "sensor-filter", ContainerVersion: "1.0.0"), after: "atym-s1", limit: 1));

        // A report is not an operator change: the revision stays, and an update from a copy read before it keeps the sighting.
        var before = _stores.Devices.Find("atym-s4")!;
        Assert.True(_stores.Devices.RecordSeen("atym-s4", Seen(0, "1.1.0")));
        var seen = _stores.Devices.Find("atym-s4")!;
        Assert.Equal((before.Revision, Seen(0, "1.1.0")), (seen.Revision, seen.Seen));
        var updated = _stores.Devices.TryUpdate(before with { Groups = ["moved"] }, before.Revision)!;
        Assert.Equal(Seen(0, "1.1.0"), updated.Seen);
        Assert.Equal(updated, _stores.Devices.Find("atym-s4"));
        Assert.Equal(["atym-s4"], Ids(new DeviceQuery(Group: "moved", Container: "sensor-filter", ContainerVersion: "1.1.0", SeenSince: at.AddMinutes(-1))));
    }

    [Fact]
    public void Preauthorized_keys_add_once_and_remove()
    {
        var key = new PreauthorizedKey(new string('d', 64), "factory batch 7", ["eu-test"], Samples.T0, "admin");
        Assert.True(_stores.PreauthorizedKeys.TryAdd(key));
        Assert.False(_stores.PreauthorizedKeys.TryAdd(key));
        Assert.Equal(key, _stores.PreauthorizedKeys.Find(key.KeyFingerprint));
        Assert.True(_stores.PreauthorizedKeys.Remove(key.KeyFingerprint));
        Assert.False(_stores.PreauthorizedKeys.Remove(key.KeyFingerprint));
        Assert.Null(_stores.PreauthorizedKeys.Find(key.KeyFingerprint));
    }
}
