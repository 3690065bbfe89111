using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// TUF §5.4–5.6 against the image repository, after its root walk (steps 5–8 of docs/trust-model.md §3): timestamp,
/// snapshot, top-level targets, then delegated targets files as <see cref="DelegationSearch"/> asks for them. The
/// timestamp and snapshot are handed to <paramref name="store"/> as soon as their signatures and versions check out,
/// before their expiry is judged (as python-tuf does): an expired file still raises the rollback floor, and nothing
/// else ever trusts it.
/// </summary>
internal sealed class ImageRepositoryCheck(
    IMetadataSource source,
    SignedMetadata<RootMetadata> root,
    UpdateMetadataLimits limits,
    DateTimeOffset now,
    Action<SignedMetadata<TimestampMetadata>, SignedMetadata<SnapshotMetadata>?> store)
{
    private readonly Dictionary<string, SignedMetadata<TargetsMetadata>> _loaded = new(StringComparer.Ordinal);
    private SignedMetadata<SnapshotMetadata>? _snapshot;

    private RootMetadata Root => root.Signed;

    /// <summary>Steps 5–7: fresh timestamp and snapshot, and the top-level targets they list.</summary>
    public SignedMetadata<TargetsMetadata> Refresh(SignedMetadata<TimestampMetadata>? trustedTimestamp, SignedMetadata<SnapshotMetadata>? trustedSnapshot)
    {
        var timestamp = UpdateTimestamp(trustedTimestamp, trustedSnapshot);
        _snapshot = UpdateSnapshot(timestamp, trustedSnapshot);
        return LoadTopLevelTargets();
    }

    private SignedMetadata<TimestampMetadata> UpdateTimestamp(SignedMetadata<TimestampMetadata>? trusted, SignedMetadata<SnapshotMetadata>? trustedSnapshot)
    {
        const string file = "timestamp.json";
        var fetch = new MetadataFetch(source, "image repository", 5);
        var fetched = fetch.Parse<TimestampMetadata>("timestamp", file, fetch.Fetch("timestamp", file, limits.MaxTimestampBytes));
        fetch.RequireThreshold(fetched, Root.Keys, Root.RoleOrNull("timestamp"), "timestamp", file);
        var timestamp = fetched;
        if (trusted is not null)
        {
            if (fetched.Signed.Version < trusted.Signed.Version)
                throw fetch.Refuse(ReasonCodes.RollbackVersion, "timestamp", file, "$.signed.version",
                    $"version {fetched.Signed.Version}, the device holds {trusted.Signed.Version}");
            if (fetched.Signed.Snapshot.Version < trusted.Signed.Snapshot.Version)
                throw fetch.Refuse(ReasonCodes.RollbackVersion, "timestamp", file, "$.signed.meta[\"snapshot.json\"].version",
                    $"lists snapshot {fetched.Signed.Snapshot.Version}, the device holds a listing of {trusted.Signed.Snapshot.Version}");
            // TUF §5.4.3: an equal version is no news; keep the one already trusted.
            if (fetched.Signed.Version == trusted.Signed.Version) timestamp = trusted;
        }
        store(timestamp, trustedSnapshot);
        fetch.RequireNotExpired(timestamp.Signed, "timestamp", file, now, limits.ClockSkew);
        return timestamp;
    }

    private SignedMetadata<SnapshotMetadata> UpdateSnapshot(SignedMetadata<TimestampMetadata> timestamp, SignedMetadata<SnapshotMetadata>? trusted)
    {
        var listing = timestamp.Signed.Snapshot;
        var file = Root.ConsistentSnapshot ? $"{listing.Version}.snapshot.json" : "snapshot.json";
        var fetch = new MetadataFetch(source, "image repository", 6);
        SignedMetadata<SnapshotMetadata> snapshot;
        if (trusted is not null && trusted.Signed.Version == listing.Version && (listing.Hashes is null || FileHashes.Match(listing.Hashes, trusted.FileBytes)))
        {
            snapshot = trusted; // already verified against this very listing
        }
        else
        {
            snapshot = fetch.Parse<SnapshotMetadata>("snapshot", file, fetch.FetchListed("snapshot", file, listing, limits.MaxSnapshotBytes));
            fetch.RequireThreshold(snapshot, Root.Keys, Root.RoleOrNull("snapshot"), "snapshot", file);
            fetch.RequireListedVersion(snapshot, listing, "snapshot", file);
            if (trusted is not null)
            {
                if (snapshot.Signed.Version < trusted.Signed.Version)
                    throw fetch.Refuse(ReasonCodes.RollbackVersion, "snapshot", file, "$.signed.version",
                        $"version {snapshot.Signed.Version}, the device holds {trusted.Signed.Version}");
                RequireNoTargetsRollback(fetch, trusted.Signed, snapshot.Signed, file);
            }
        }
        store(timestamp, snapshot);
        fetch.RequireNotExpired(snapshot.Signed, "snapshot", file, now, limits.ClockSkew);
        return snapshot;
    }

    /// <summary>TUF §5.5.5: every targets file the trusted snapshot listed is still listed, at no lower version.</summary>
    private static void RequireNoTargetsRollback(MetadataFetch fetch, SnapshotMetadata trusted, SnapshotMetadata fresh, string file)
    {
        foreach (var (name, before) in trusted.Meta)
        {
            if (!fresh.Meta.TryGetValue(name, out var now))
                throw fetch.Refuse(ReasonCodes.RollbackVersion, "snapshot", file, $"$.signed.meta[\"{name}\"]", "dropped: the trusted snapshot lists it");
            if (now.Version < before.Version)
                throw fetch.Refuse(ReasonCodes.RollbackVersion, "snapshot", file, $"$.signed.meta[\"{name}\"].version",
                    $"version {now.Version}, the trusted snapshot lists {before.Version}");
        }
    }

    private SignedMetadata<TargetsMetadata> LoadTopLevelTargets() =>
        Load("targets", new MetadataFetch(source, "image repository", 7), limits.MaxTopTargetsBytes, Root.Keys, Root.RoleOrNull("targets"), depth: 0);

    /// <summary>Step 8: the delegated role's file, signed by a threshold of the keys its delegation names.</summary>
    public SignedMetadata<TargetsMetadata> LoadDelegated(DelegatedRole role, IReadOnlyDictionary<string, TufKey> keys, int depth) =>
        Load(role.Name, new MetadataFetch(source, "image repository", 8), limits.MaxDelegatedTargetsBytes, keys, role.Keys, depth);

    private SignedMetadata<TargetsMetadata> Load(string role, MetadataFetch fetch, long cap, IReadOnlyDictionary<string, TufKey> keys, RoleKeys? roleKeys, int depth)
    {
        if (_loaded.TryGetValue(role, out var cached)) return cached;
        var metaName = SnapshotMetadata.FileOf(role);
        var listing = _snapshot!.Signed.Meta.TryGetValue(metaName, out var l)
            ? l
            : throw fetch.Refuse(ReasonCodes.SnapshotMismatch, role, metaName, $"$.signed.meta[\"{metaName}\"]", "the snapshot does not list this role");
        var file = Root.ConsistentSnapshot ? $"{listing.Version}.{role}.json" : metaName;
        var targets = fetch.Parse<TargetsMetadata>(role, file, fetch.FetchListed(role, file, listing, cap));
        fetch.RequireThreshold(targets, keys, roleKeys, role, file);
        fetch.RequireListedVersion(targets, listing, role, file);
        fetch.RequireNotExpired(targets.Signed, role, file, now, limits.ClockSkew);
        if (depth >= limits.MaxDelegationDepth && targets.Signed.Delegations is { Roles.Count: > 0 })
            throw fetch.Refuse(ReasonCodes.MetadataMalformed, role, file, "$.signed.delegations", "a delegated role may not delegate further");
        _loaded.Add(role, targets);
        return targets;
    }
}
