namespace AtymSecure.OtaStore;

/// <summary>
/// A filter over devices for one page of <see cref="IDeviceStore.Query"/>: an id prefix (the search box), a group, a tag
/// (<c>key=value</c>), a device class, a state, a container's confirmed version in the last report
/// (<paramref name="Container"/> at <paramref name="ContainerVersion"/>), and when the last report came
/// (<paramref name="SeenBefore"/>: before that instant or never — "not seen for 1h"; <paramref name="SeenSince"/>: at or
/// after it — "seen in the last 24h"). Null members do not filter; all given members must hold.
/// </summary>
public sealed record DeviceQuery(
    string? IdPrefix = null,
    string? Group = null,
    string? TagKey = null,
    string? TagValue = null,
    string? DeviceClass = null,
    DeviceState? State = null,
    string? Container = null,
    string? ContainerVersion = null,
    DateTimeOffset? SeenBefore = null,
    DateTimeOffset? SeenSince = null)
{
    public static readonly DeviceQuery All = new();

    /// <summary>The tag as stored beside a LiteDB document and compared in PostgreSQL: <c>key=value</c>.</summary>
    internal static string TagText(string key, string value) => key + "=" + value;
}
