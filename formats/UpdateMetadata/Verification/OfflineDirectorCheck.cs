using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// Step 2 for an offline export (docs/trust-model.md §6): the export's <c>targets.json</c> is the offline director
/// document — a threshold of the director's targets keys (the same role as online), not expired at now,
/// <c>custom.offline: true</c>, this device among <c>custom.devices</c>, its class, no delegations, each container
/// once. In place of the nonce: a version at least the last offline version this device accepted (its own sequence;
/// equal means the same export again, which can only reinstall what it names, under the counters), an
/// <c>exportedAt</c> not ahead of now by more than the skew, and a life of at most
/// <see cref="OfflineDirectorCustom.MaxLifetime"/> from <c>exportedAt</c>. The image repository is then judged at
/// <c>exportedAt</c>.
/// </summary>
internal static class OfflineDirectorCheck
{
    public static (SignedMetadata<TargetsMetadata> Document, IReadOnlyList<DirectorAssignment> Assignments, OfflineDirectorCustom Custom) Verify(
        IMetadataSource source, SignedMetadata<RootMetadata> root, long trustedOfflineVersion,
        DeviceContext device, UpdateMetadataLimits limits, DateTimeOffset now)
    {
        const string file = DirectorCheck.File;
        var fetch = new MetadataFetch(source, "offline export (director)", 2);
        var fetched = fetch.Parse<TargetsMetadata>("targets", file, fetch.Fetch("targets", file, limits.MaxDirectorTargetsBytes));
        fetch.RequireThreshold(fetched, root.Signed.Keys, root.Signed.RoleOrNull("targets"), "targets", file);
        fetch.RequireNotExpired(fetched.Signed, "targets", file, now, limits.ClockSkew);
        var document = fetched.Signed;
        var custom = DirectorCheck.Read(fetch, () => OfflineDirectorCustom.FromJson(document.Custom, "$.signed.custom"));
        if (document.Version < trustedOfflineVersion)
            throw fetch.Refuse(ReasonCodes.RollbackVersion, "targets", file, "$.signed.version",
                $"offline version {document.Version}, this device already accepted offline version {trustedOfflineVersion}");
        if (custom.ExportedAt > now + limits.ClockSkew)
            throw fetch.Refuse(ReasonCodes.MetadataMalformed, "targets", file, "$.signed.custom.exportedAt",
                $"exported at {RoleMetadata.FormatTime(custom.ExportedAt)}, after device time {RoleMetadata.FormatTime(now)} (skew {limits.ClockSkew.TotalMinutes:0} min)");
        if (document.Expires - custom.ExportedAt > OfflineDirectorCustom.MaxLifetime)
            throw fetch.Refuse(ReasonCodes.MetadataMalformed, "targets", file, "$.signed.expires",
                $"an offline document lives at most {OfflineDirectorCustom.MaxLifetime.TotalDays:0} days after it was exported");
        if (document.Delegations is not null)
            throw fetch.Refuse(ReasonCodes.MetadataMalformed, "targets", file, "$.signed.delegations", "director targets never delegate");
        if (!custom.Devices.Contains(device.DeviceId))
            throw fetch.Refuse(ReasonCodes.WrongDevice, "targets", file, "$.signed.custom.devices",
                $"exported for {custom.Devices.Count} other device(s) ({string.Join(", ", custom.Devices.Take(3))}{(custom.Devices.Count > 3 ? ", …" : "")}), this is '{device.DeviceId}'");
        if (custom.DeviceClass != device.DeviceClass)
            throw fetch.Refuse(ReasonCodes.WrongClass, "targets", file, "$.signed.custom.deviceClass", $"for class '{custom.DeviceClass}', this device is '{device.DeviceClass}'");
        return (fetched, DirectorCheck.Assignments(fetch, document, device), custom);
    }
}
