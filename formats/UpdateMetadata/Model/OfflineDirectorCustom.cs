using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>
/// The top-level <c>custom</c> of an <b>offline</b> director targets document (docs/trust-model.md §6,
/// docs/update-metadata.md §9): <c>{"offline": true, "deviceClass", "devices": [ids], "exportedAt"}</c>. It carries
/// no nonce — a device on an air-gapped site or a factory line made none the server could have seen — so replay is
/// bounded otherwise: by the document's own expiry (≤ <see cref="MaxLifetime"/> after <see cref="ExportedAt"/>), by
/// its version in a sequence of its own that the device stores and never lets go back, and by the security counters
/// of what it names. <see cref="ExportedAt"/> is the time the image repository's expiries are judged at.
/// </summary>
public sealed record OfflineDirectorCustom(string DeviceClass, EquatableList<string> Devices, DateTimeOffset ExportedAt)
{
    /// <summary>The member that marks a document offline; the online reader refuses any document that has it.</summary>
    public const string Marker = "offline";

    /// <summary>At most this many devices per export (a factory batch; bigger lists are several exports).</summary>
    public const int MaxDevices = 1024;

    /// <summary>Default life of an offline document.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(30);

    /// <summary>The longest life a device accepts (expires − exportedAt).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(90);

    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(
        (Marker, true), ("deviceClass", DeviceClass), ("devices", CanonicalJsonArray.Of(Devices)), ("exportedAt", RoleMetadata.FormatTime(ExportedAt)));

    /// <summary>Reads the custom of an offline document; <c>metadata-malformed</c> at the member's path otherwise.</summary>
    public static OfflineDirectorCustom FromJson(CanonicalJsonObject? custom, string path)
    {
        if (custom is null) throw JsonFields.Malformed(path, "offline director targets need custom {offline, deviceClass, devices, exportedAt}");
        var fields = JsonFields.Of(custom, path);
        if (!fields.Has(Marker) || !fields.Boolean(Marker))
            throw JsonFields.Malformed(fields.PathOf(Marker), "not an offline director document (custom.offline must be true): an export carries the offline document, never an online one");
        if (fields.Has("nonce")) throw JsonFields.Malformed(fields.PathOf("nonce"), "an offline document carries no nonce");
        var deviceClass = fields.String("deviceClass", 64);
        if (!ReleaseIdentity.DeviceClassGrammar().IsMatch(deviceClass)) throw JsonFields.Malformed(fields.PathOf("deviceClass"), "not a device class name");
        var devices = fields.StringSet("devices", MaxDevices, id => DirectorDocumentCustom.DeviceIdGrammar().IsMatch(id), "a device id");
        if (devices.Count == 0) throw JsonFields.Malformed(fields.PathOf("devices"), "an offline document lists the devices it is for");
        var exportedAt = RoleMetadata.ParseTime(fields.String("exportedAt", 32), fields.PathOf("exportedAt"));
        return new OfflineDirectorCustom(deviceClass, devices, exportedAt);
    }
}
