using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>One container the director assigns: the bundle to download (path, length, sha256) and what it must yield.</summary>
public sealed record DirectorAssignment(string BundlePath, TargetFile Bundle, DirectorTargetCustom Target)
{
    public string Container => Target.Release.Container;
}

/// <summary>
/// Step 2 of docs/trust-model.md §3 (Uptane full verification, director targets): a threshold of the director's
/// targets keys, not expired, a version above the trusted one (equal only for the identical document, which is
/// nothing new and is not held to the current nonce: it says only what the device already accepted), for this
/// device id and class, echoing an accepted nonce, without delegations, and naming each container of the
/// partition table at most once.
/// </summary>
internal static class DirectorCheck
{
    public const string File = "targets.json";

    public static (SignedMetadata<TargetsMetadata> Document, IReadOnlyList<DirectorAssignment> Assignments) Verify(
        IMetadataSource source, SignedMetadata<RootMetadata> root, SignedMetadata<TargetsMetadata>? trusted,
        DeviceContext device, UpdateMetadataLimits limits, DateTimeOffset now)
    {
        var fetch = new MetadataFetch(source, "director", 2);
        var fetched = fetch.Parse<TargetsMetadata>("targets", File, fetch.Fetch("targets", File, limits.MaxDirectorTargetsBytes));
        fetch.RequireThreshold(fetched, root.Signed.Keys, root.Signed.RoleOrNull("targets"), "targets", File);
        fetch.RequireNotExpired(fetched.Signed, "targets", File, now, limits.ClockSkew);
        var unchanged = false;
        if (trusted is not null)
        {
            var (version, held) = (fetched.Signed.Version, trusted.Signed.Version);
            if (version < held || (version == held && !fetched.Equals(trusted)))
                throw fetch.Refuse(ReasonCodes.RollbackVersion, "targets", File, "$.signed.version",
                    version < held ? $"version {version}, the device holds {held}" : $"version {version} again with other content");
            unchanged = version == held;
        }
        var document = fetched.Signed;
        if (document.Delegations is not null)
            throw fetch.Refuse(ReasonCodes.MetadataMalformed, "targets", File, "$.signed.delegations", "director targets never delegate");
        var custom = Read(fetch, () => DirectorDocumentCustom.FromJson(document.Custom, "$.signed.custom"));
        if (custom.DeviceId != device.DeviceId)
            throw fetch.Refuse(ReasonCodes.WrongDevice, "targets", File, "$.signed.custom.deviceId", $"for device '{custom.DeviceId}', this is '{device.DeviceId}'");
        if (custom.DeviceClass != device.DeviceClass)
            throw fetch.Refuse(ReasonCodes.WrongClass, "targets", File, "$.signed.custom.deviceClass", $"for class '{custom.DeviceClass}', this device is '{device.DeviceClass}'");
        if (!unchanged && !device.AcceptedNonces.Contains(custom.Nonce))
            throw fetch.Refuse(ReasonCodes.StaleNonce, "targets", File, "$.signed.custom.nonce", "echoes a nonce this device did not send in its last report");
        return (fetched, Assignments(fetch, document, device));
    }

    /// <summary>The targets of a director document (online or offline), each checked against this device.</summary>
    internal static List<DirectorAssignment> Assignments(MetadataFetch fetch, TargetsMetadata document, DeviceContext device)
    {
        var assignments = new List<DirectorAssignment>();
        foreach (var (path, bundle) in document.Targets)
        {
            var at = $"$.signed.targets[\"{path}\"]";
            var target = Read(fetch, () => DirectorTargetCustom.FromJson(bundle.Custom, at + ".custom"));
            var container = target.Release.Container;
            if (path != TargetPaths.Bundle(container, bundle.Sha256))
                throw fetch.Refuse(ReasonCodes.MetadataMalformed, "targets", File, at, $"a director target's path is {TargetPaths.Bundle(container, "SHA256")} with its own sha256");
            if (assignments.Any(a => a.Container == container))
                throw fetch.Refuse(ReasonCodes.MetadataMalformed, "targets", File, at, $"container '{container}' is assigned twice");
            if (!device.Containers.ContainsKey(container))
                throw fetch.Refuse(ReasonCodes.UnknownContainer, "targets", File, at + ".custom.container", $"'{container}' is not in this device's partition table");
            if (target.Release.DeviceClass != device.DeviceClass)
                throw fetch.Refuse(ReasonCodes.WrongClass, "targets", File, at + ".custom.deviceClass", $"an image for class '{target.Release.DeviceClass}'");
            assignments.Add(new DirectorAssignment(path, bundle, target));
        }
        return assignments;
    }

    internal static T Read<T>(MetadataFetch fetch, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (MetadataRefusedException e)
        {
            throw e.In("targets", File, fetch.Step);
        }
    }
}
