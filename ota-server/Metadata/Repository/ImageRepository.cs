using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Repository;

/// <summary>
/// The TUF image repository (docs/update-metadata.md §1) as files in <c>DATA/tuf/image/metadata</c>, consistent
/// snapshots: <c>N.root.json</c> (offline, kept forever), <c>V.targets.json</c> (offline: delegations only),
/// <c>V.vendor-NAME.json</c> (offline, uploaded by the vendor), <c>V.compiler-CLASS.json</c>, <c>V.snapshot.json</c> and
/// <c>timestamp.json</c> (online keys from <see cref="IOnlineKeyStore"/>).
/// <para>
/// Every change publishes in one order: the changed targets file, then a snapshot listing every targets file, then
/// the timestamp (the only file replaced in place), so a client that reads <c>timestamp.json</c> at any moment
/// finds a complete, consistent set; a crash between steps leaves the previous set published. Versioned files are
/// written create-new and never change. Mutations are serialized; reads are lock-free file reads.
/// </para>
/// <para>
/// Replicas share the folder (docs/scale-out.md), so the folder, not this object, is the truth: every public mutation
/// first reads the folder again (<see cref="Refresh"/>; a peer may have published since), and versions only go up
/// however writers interleave. A versioned file is created, never replaced, so of two writers of one version one wins and
/// the other gets <see cref="MetadataVersionConflictException"/>. The timestamp, replaced in place, is fenced the same way:
/// its version is first claimed by creating <c>N.timestamp.json</c> (the same bytes, never fetched by devices), and
/// <c>timestamp.json</c> is replaced only while it holds an older version. The check and the rename are two steps, so a
/// writer frozen exactly between them could still put an older timestamp back over a newer one; the re-signer treats a
/// <c>timestamp.json</c> below the highest claimed version as due at once and publishes above every claim (devices that
/// saw the newer one refuse the older meanwhile and keep theirs). Which writer runs a due re-signing round at all
/// is decided by a job claim (<see cref="Resigning.MetadataResigningService"/>); these fences are what keeps a writer that
/// stalled past its claim from publishing a stale version when it wakes.
/// </para>
/// </summary>
public sealed class ImageRepository : ICompilerSigningKey
{
    public const string TimestampFile = "timestamp.json";

    /// <summary>The role whose versions <c>N.timestamp.json</c> claim (<see cref="PublishTimestamp"/>).</summary>
    internal const string TimestampRole = "timestamp";

    private readonly IOnlineKeyStore _keys;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SignedMetadata<TargetsMetadata>> _delegated = new(StringComparer.Ordinal);
    private SignedMetadata<TargetsMetadata>? _topLevel;
    private SignedMetadata<SnapshotMetadata>? _snapshot;
    private SignedMetadata<TimestampMetadata>? _timestamp;

    public ImageRepository(string folder, IOnlineKeyStore keys, TimeProvider clock, ImageRepositoryOptions? options = null, ITargetContent? content = null)
    {
        _keys = keys;
        _clock = clock;
        Options = options ?? ImageRepositoryOptions.Default;
        Metadata = new MetadataFolder(Path.Combine(folder, "metadata"));
        Roots = new RootChainStore(Metadata, RootPlan.ImageRoles);
        Content = content ?? new FolderTargetContent(Path.Combine(folder, "targets"));
        Load();
    }

    public ImageRepositoryOptions Options { get; }

    public MetadataFolder Metadata { get; }

    public RootChainStore Roots { get; }

    public ITargetContent Content { get; }

    /// <summary>
    /// Reads the published files from the folder again: what a replica sharing it (or a writer killed between steps)
    /// wrote since this object last looked. Every mutation does it first.
    /// </summary>
    public void Refresh()
    {
        lock (_gate) Load();
    }

    /// <summary>What is published now (for status, re-signing and the targets endpoint).</summary>
    public PublishedImageRepository Published
    {
        get
        {
            lock (_gate) return new PublishedImageRepository(Roots.Current, _topLevel, new EquatableMap<SignedMetadata<TargetsMetadata>>(_delegated), _snapshot, _timestamp);
        }
    }

    /// <summary>
    /// Publishes the next root (signed offline by a threshold of old and new root keys); re-signs snapshot and
    /// timestamp with rotated keys. A root whose snapshot or timestamp keys this server does not hold is refused
    /// before anything is written: published, it would freeze every device within a day.
    /// </summary>
    public void AcceptRoot(ReadOnlySpan<byte> file)
    {
        lock (_gate)
        {
            Load();
            var candidate = SignedMetadata<RootMetadata>.Parse(file).Signed;
            foreach (var (role, online) in new[] { ("snapshot", OnlineRole.Snapshot), ("timestamp", OnlineRole.Timestamp) })
                if (candidate.RoleOrNull(role) is { } listed) OnlineKeySelection.For(_keys, online, listed, $"root {candidate.Version}");
            Roots.Accept(file, _clock.GetUtcNow());
            if (_topLevel is not null) PublishSnapshot();
        }
    }

    /// <summary>
    /// Publishes top-level targets signed offline: a threshold of the root's targets keys, a higher version, not
    /// expired, delegations only. Makes the first (empty) file of each new <c>compiler-CLASS</c> role, re-signs one
    /// whose key the delegation no longer lists, then snapshot and timestamp.
    /// </summary>
    public void AcceptTargets(ReadOnlySpan<byte> file)
    {
        lock (_gate)
        {
            Load();
            var root = Roots.Require().Signed;
            var upload = SignedMetadata<TargetsMetadata>.Parse(file);
            var name = $"{upload.Signed.Version}.targets.json";
            ThresholdCheck.Require(upload, root.Keys, root.Roles["targets"], "targets");
            if (_topLevel is { } held && upload.Signed.Version <= held.Signed.Version)
                throw DelegatedUploadCheck.Refuse(ReasonCodes.RollbackVersion, "targets", name, "$.signed.version", $"version {upload.Signed.Version}, version {held.Signed.Version} is published");
            if (upload.Signed.IsExpired(_clock.GetUtcNow(), TimeSpan.Zero))
                throw DelegatedUploadCheck.Refuse(ReasonCodes.MetadataExpired, "targets", name, "$.signed.expires", "already expired");
            if (upload.Signed.Targets.Count > 0)
                throw DelegatedUploadCheck.Refuse(ReasonCodes.MetadataMalformed, "targets", name, "$.signed.targets", "top-level targets lists no target of its own, only delegations");
            Metadata.WriteOnce(name, upload.FileBytes);
            _topLevel = upload;
            foreach (var role in upload.Signed.Delegations?.Roles ?? [])
            {
                if (!role.Name.StartsWith("compiler-", StringComparison.Ordinal)) continue;
                var current = _delegated.GetValueOrDefault(role.Name);
                if (current is null || !current.Signatures.Any(s => role.Keys.KeyIds.Contains(s.KeyId)))
                    SignCompiler(role.Name, current?.Signed.Targets ?? EquatableMap<TargetFile>.Empty);
            }
            PublishSnapshot();
        }
    }

    /// <summary>Publishes a vendor's delegated targets file after <see cref="DelegatedUploadCheck"/>, then snapshot and timestamp.</summary>
    public void AcceptDelegated(string role, ReadOnlySpan<byte> file)
    {
        ArgumentNullException.ThrowIfNull(role);
        lock (_gate)
        {
            Load();
            var topLevel = _topLevel ?? throw new MetadataRefusedException(ReasonCodes.MetadataMissing, "targets.json", "no top-level targets yet: upload one signed offline");
            var upload = DelegatedUploadCheck.Check(role, file, topLevel.Signed, _delegated.GetValueOrDefault(role), _clock.GetUtcNow());
            Metadata.WriteOnce($"{upload.Signed.Version}.{role}.json", upload.FileBytes);
            _delegated[role] = upload;
            PublishSnapshot();
        }
    }

    /// <summary>
    /// Adds a release's compiled images to <c>compiler-CLASS</c> (new version, 7 d expiry, online compiler key), then
    /// snapshot and timestamp. Each image must be of that class, inside the delegation's paths, and must read back
    /// with the device's reader; an image already listed at its path with other bytes is refused (paths carry the
    /// sha256, so this is a broken caller). Returns the new delegated document.
    /// </summary>
    public SignedMetadata<TargetsMetadata> AddCompiledImages(string deviceClass, IEnumerable<CompiledImageTarget> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var role = TargetPaths.CompilerRole(deviceClass);
        lock (_gate)
        {
            Load();
            var current = _delegated.GetValueOrDefault(role)
                ?? throw DelegatedUploadCheck.Refuse(ReasonCodes.TargetNotListed, role, $"{role}.json", "$", $"top-level targets delegates no '{role}': add the class (atym tuf add-delegation)");
            var delegation = _topLevel!.Signed.Delegations!.Roles.First(r => r.Name == role);
            var targets = current.Signed.Targets;
            foreach (var image in images)
            {
                var entry = image.ToTargetFile();
                var at = $"$.signed.targets[\"{image.Path}\"]";
                if (image.Release.DeviceClass != deviceClass)
                    throw DelegatedUploadCheck.Refuse(ReasonCodes.WrongClass, role, image.Path, at, $"an image for class '{image.Release.DeviceClass}'");
                if (!MetadataNames.IsTargetPath(image.Path) || !delegation.Covers(image.Path))
                    throw DelegatedUploadCheck.Refuse(ReasonCodes.TargetNotListed, role, image.Path, at, "outside the compiler delegation's paths");
                try
                {
                    ImageTargetCustom.FromJson(entry.Custom, at + ".custom");
                }
                catch (MetadataRefusedException e)
                {
                    throw e.In(role, image.Path);
                }
                if (targets.TryGetValue(image.Path, out var listed) && !listed.Equals(entry))
                    throw DelegatedUploadCheck.Refuse(ReasonCodes.TargetMismatch, role, image.Path, at, "already listed with other length or fields");
                targets = targets.SetItem(image.Path, entry);
            }
            var signed = SignCompiler(role, targets);
            PublishSnapshot();
            return signed;
        }
    }

    public IOnlineKey For(string deviceClass)
    {
        var role = TargetPaths.CompilerRole(deviceClass);
        lock (_gate)
        {
            if (_topLevel?.Signed.Delegations?.Roles.FirstOrDefault(r => r.Name == role) is { } delegation)
                return OnlineKeySelection.For(_keys, OnlineRole.Compiler, delegation.Keys, $"delegation {role}");
        }
        return _keys.Keys(OnlineRole.Compiler).LastOrDefault()
            ?? throw new InvalidOperationException("the key store holds no compiler key");
    }

    /// <summary>Re-signs a compiler delegation at its next version with the same targets (half-life re-signing).</summary>
    internal void ResignCompiler(string role)
    {
        lock (_gate)
        {
            if (_delegated.GetValueOrDefault(role) is { } current) SignCompiler(role, current.Signed.Targets);
        }
    }

    /// <summary>A new snapshot over every published targets file, then a new timestamp.</summary>
    internal void PublishSnapshot()
    {
        lock (_gate)
        {
            if (_topLevel is null) return;
            var root = Roots.Require().Signed;
            var files = new Dictionary<string, MetaFile>(StringComparer.Ordinal)
            {
                [SnapshotMetadata.FileOf("targets")] = MetaFile.Describe(_topLevel.Signed.Version, _topLevel.FileBytes),
            };
            foreach (var (role, doc) in _delegated) files[SnapshotMetadata.FileOf(role)] = MetaFile.Describe(doc.Signed.Version, doc.FileBytes);
            var snapshot = new SnapshotMetadata
            {
                Version = (_snapshot?.Signed.Version ?? 0) + 1,
                Expires = _clock.GetUtcNow() + Options.SnapshotLife,
                Meta = new EquatableMap<MetaFile>(files),
            };
            var key = OnlineKeySelection.For(_keys, OnlineRole.Snapshot, root.Roles["snapshot"], $"root {root.Version}");
            var signed = MetadataSigning.Sign(snapshot, key);
            Metadata.WriteOnce($"{snapshot.Version}.snapshot.json", signed.FileBytes);
            _snapshot = signed;
            PublishTimestamp();
        }
    }

    /// <summary>
    /// A new timestamp over the current snapshot (every 12 h, and after each snapshot): its version claimed by creating
    /// <c>N.timestamp.json</c>, then <c>timestamp.json</c> replaced unless it already holds version N or newer (a peer
    /// published meanwhile: <see cref="MetadataVersionConflictException"/>, the newer file stays).
    /// </summary>
    internal void PublishTimestamp()
    {
        lock (_gate)
        {
            if (_snapshot is null) return;
            var root = Roots.Require().Signed;
            var timestamp = new TimestampMetadata
            {
                Version = Math.Max(_timestamp?.Signed.Version ?? 0, Metadata.Versions(TimestampRole).LastOrDefault()) + 1,
                Expires = _clock.GetUtcNow() + Options.TimestampLife,
                Snapshot = MetaFile.Describe(_snapshot.Signed.Version, _snapshot.FileBytes),
            };
            var key = OnlineKeySelection.For(_keys, OnlineRole.Timestamp, root.Roles["timestamp"], $"root {root.Version}");
            var signed = MetadataSigning.Sign(timestamp, key);
            Metadata.WriteOnce($"{timestamp.Version}.{TimestampRole}.json", signed.FileBytes);
            if (PublishedImageRepository.ReadTimestamp(Metadata) is { } onDisk && onDisk.Signed.Version >= timestamp.Version)
                throw new MetadataVersionConflictException(TimestampFile, $"holds version {onDisk.Signed.Version}, not older than {timestamp.Version}");
            Metadata.Replace(TimestampFile, signed.FileBytes);
            _timestamp = signed;
        }
    }

    private SignedMetadata<TargetsMetadata> SignCompiler(string role, EquatableMap<TargetFile> targets)
    {
        var delegation = _topLevel!.Signed.Delegations!.Roles.First(r => r.Name == role);
        var key = OnlineKeySelection.For(_keys, OnlineRole.Compiler, delegation.Keys, $"delegation {role}");
        var doc = new TargetsMetadata
        {
            Version = (_delegated.GetValueOrDefault(role)?.Signed.Version ?? Metadata.Versions(role).LastOrDefault()) + 1,
            Expires = _clock.GetUtcNow() + Options.CompilerLife,
            Targets = targets,
        };
        var signed = MetadataSigning.Sign(doc, key);
        Metadata.WriteOnce($"{doc.Version}.{role}.json", signed.FileBytes);
        _delegated[role] = signed;
        return signed;
    }

    /// <summary>Reads the folder (under the gate): the newest file of each role, as at start.</summary>
    private void Load()
    {
        var loaded = PublishedImageRepository.Load(Metadata);
        _topLevel = loaded.TopLevel;
        _delegated.Clear();
        foreach (var (role, doc) in loaded.Delegated) _delegated[role] = doc;
        _snapshot = loaded.Snapshot;
        _timestamp = loaded.Timestamp;
    }
}

/// <summary>The image repository's published files at one moment (immutable view).</summary>
public sealed record PublishedImageRepository(
    SignedMetadata<RootMetadata>? Root,
    SignedMetadata<TargetsMetadata>? TopLevel,
    EquatableMap<SignedMetadata<TargetsMetadata>> Delegated,
    SignedMetadata<SnapshotMetadata>? Snapshot,
    SignedMetadata<TimestampMetadata>? Timestamp)
{
    /// <summary>
    /// Reads a repository's files: the highest version on disk of each. A file written just before a crash (not yet
    /// in a snapshot) is the base of the next version, so the next create-new write never collides with it.
    /// </summary>
    public static PublishedImageRepository Load(MetadataFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var topLevel = Latest<TargetsMetadata>(folder, "targets");
        var delegated = new Dictionary<string, SignedMetadata<TargetsMetadata>>(StringComparer.Ordinal);
        foreach (var role in topLevel?.Signed.Delegations?.Roles ?? [])
            if (Latest<TargetsMetadata>(folder, role.Name) is { } doc) delegated[role.Name] = doc;
        return new PublishedImageRepository(
            Latest<RootMetadata>(folder, "root"),
            topLevel,
            new EquatableMap<SignedMetadata<TargetsMetadata>>(delegated),
            Latest<SnapshotMetadata>(folder, "snapshot"),
            ReadTimestamp(folder));
    }

    /// <summary><c>timestamp.json</c> as on disk now, or null when there is none.</summary>
    public static SignedMetadata<TimestampMetadata>? ReadTimestamp(MetadataFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return folder.Read(ImageRepository.TimestampFile) is { } bytes ? SignedMetadata<TimestampMetadata>.Parse(bytes) : null;
    }

    private static SignedMetadata<T>? Latest<T>(MetadataFolder folder, string role)
        where T : RoleMetadata, IRoleMetadata<T>
    {
        var versions = folder.Versions(role);
        return versions.Count == 0 ? null : SignedMetadata<T>.Parse(folder.Read($"{versions[^1]}.{role}.json")!);
    }
}
