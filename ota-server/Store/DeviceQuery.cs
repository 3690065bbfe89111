namespace AtymSecure.OtaStore;

/// <summary>
/// A filter over devices for one page of <see cref="IDeviceStore.Query"/>: an id prefix (the search box), a group, a tag
/// (<c>key=value</c>), a device class, a state. Null members do not filter; all given members must hold.
/// </summary>
public sealed record DeviceQuery(
    string? IdPrefix = null,
    string? Group = null,
    string? TagKey = null,
    string? TagValue = null,
    string? DeviceClass = null,
    DeviceState? State = null)
{
    public static readonly DeviceQuery All = new();

    /// <summary>The tag as stored beside a LiteDB document and compared in PostgreSQL: <c>key=value</c>.</summary>
    internal static string TagText(string key, string value) => key + "=" + value;
}
