using AtymSecure.Primitives;
using System.Security.Cryptography;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>
/// An image repository as the OTA server will keep it, in memory: root, top-level targets delegating to
/// <c>vendor-acme</c> (sources of <c>sensor-*</c> containers) and <c>compiler-CLASS</c> (images), snapshot and timestamp,
/// published under consistent-snapshot names into <see cref="Source"/>. Tests change it the way the server or an
/// attacker would: publish releases, rotate keys, replay or swap files.
/// </summary>
internal sealed class TestImageRepository
{
    public const string Vendor = "vendor-acme";

    private readonly ManualClock _clock;
    private readonly Dictionary<string, TargetsMetadata> _delegated = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private TargetsMetadata _topLevel;
    private long _snapshotVersion;
    private long _timestampVersion;

    public TestImageRepository(ManualClock clock, string deviceClass = "linux-x86_64")
    {
        _clock = clock;
        DeviceClass = deviceClass;
        RootKeys = [TestKeys.Ed25519("image-root")];
        Root = RootDocument(1);
        PublishRoot(Root, RootKeys);
        _topLevel = TopLevelDocument(1);
        _delegated[Compiler] = Empty(0);
        _delegated[Vendor] = Empty(0);
        _dirty.UnionWith([Compiler, Vendor, "targets"]);
        Publish();
    }

    public MemoryMetadataSource Source { get; } = new();

    public string DeviceClass { get; }

    public string Compiler => TargetPaths.CompilerRole(DeviceClass);

    public IMetadataSigner[] RootKeys { get; private set; }

    public int RootThreshold { get; set; } = 1;

    public IMetadataSigner TargetsKey { get; set; } = TestKeys.Ed25519("image-targets");

    public IMetadataSigner SnapshotKey { get; set; } = TestKeys.Ed25519("image-snapshot");

    public IMetadataSigner TimestampKey { get; set; } = TestKeys.Ed25519("image-timestamp");

    public IMetadataSigner CompilerKey { get; set; } = TestKeys.Ed25519("compiler");

    public IMetadataSigner VendorKey { get; set; } = TestKeys.Ed25519("vendor-acme");

    public RootMetadata Root { get; private set; }

    public TimeSpan RootLife { get; set; } = TimeSpan.FromDays(365);
    public TimeSpan TargetsLife { get; set; } = TimeSpan.FromDays(90);
    public TimeSpan SnapshotLife { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan TimestampLife { get; set; } = TimeSpan.FromDays(1);
    public TimeSpan DelegatedLife { get; set; } = TimeSpan.FromDays(7);

    public byte[] RootFile(long version) => Source[$"{version}.root.json"]!;

    public long SnapshotVersion => _snapshotVersion;

    public long TimestampVersion => _timestampVersion;

    public long VersionOf(string role) => role == "targets" ? _topLevel.Version : _delegated[role].Version;

    /// <summary>Lists an image (compiler role) and its source Wasm (vendor role); returns the image's sha256.</summary>
    public string AddRelease(ReleaseIdentity release, byte[] image, byte[] sourceWasm, bool listSource = true)
    {
        var imageSha = Hex(image);
        var custom = new ImageTargetCustom(release, "sha256:" + Hex(sourceWasm));
        AddTarget(Compiler, TargetPaths.Image(release, imageSha), TargetFile.Describe(image, custom.ToJson()));
        if (listSource) AddTarget(Vendor, TargetPaths.Source(release.Container, release.Version), TargetFile.Describe(sourceWasm));
        return imageSha;
    }

    public void AddTarget(string role, string path, TargetFile file)
    {
        _delegated[role] = _delegated[role] with { Targets = _delegated[role].Targets.SetItem(path, file) };
        _dirty.Add(role);
    }

    /// <summary>Changes the top-level targets (delegations) before the next <see cref="Publish"/>.</summary>
    public void ChangeTopLevel(Func<TargetsMetadata, TargetsMetadata> change)
    {
        _topLevel = change(_topLevel);
        _dirty.Add("targets");
    }

    /// <summary>Re-signs every targets file with fresh expiries (what the server does for a device back from a long absence).</summary>
    public void RepublishAll()
    {
        _dirty.UnionWith([.. _delegated.Keys, "targets"]);
        Publish();
    }

    /// <summary>Signs every changed targets file at its next version, then a snapshot listing all, then a timestamp.</summary>
    public void Publish()
    {
        foreach (var role in _dirty.Where(r => r != "targets").ToList())
        {
            var doc = _delegated[role] with { Version = _delegated[role].Version + 1, Expires = _clock.Now + DelegatedLife };
            _delegated[role] = doc;
            Source[$"{doc.Version}.{role}.json"] = MetadataSigning.Sign(doc, role == Vendor ? VendorKey : CompilerKey).ToBytes();
        }
        if (_dirty.Contains("targets"))
        {
            _topLevel = _topLevel with { Version = _topLevel.Version + 1, Expires = _clock.Now + TargetsLife };
            Source[$"{_topLevel.Version}.targets.json"] = MetadataSigning.Sign(_topLevel, TargetsKey).ToBytes();
        }
        _dirty.Clear();
        PublishSnapshot();
    }

    public void PublishSnapshot(IMetadataSigner? key = null, long? version = null)
    {
        _snapshotVersion = version ?? _snapshotVersion + 1;
        var files = new List<(string, long)> { ("targets", _topLevel.Version) };
        files.AddRange(_delegated.Select(d => (d.Key, d.Value.Version)));
        var snapshot = new SnapshotMetadata
        {
            Version = _snapshotVersion,
            Expires = _clock.Now + SnapshotLife,
            Meta = new EquatableMap<MetaFile>(files.Select(f =>
                KeyValuePair.Create(SnapshotMetadata.FileOf(f.Item1), MetaFile.Describe(f.Item2, Source[$"{f.Item2}.{f.Item1}.json"]!)))),
        };
        Source[$"{_snapshotVersion}.snapshot.json"] = MetadataSigning.Sign(snapshot, key ?? SnapshotKey).ToBytes();
        PublishTimestamp();
    }

    /// <summary>A snapshot changed by <paramref name="tamper"/> yet correctly signed and listed (a broken server, or stolen online keys).</summary>
    public void PublishTamperedSnapshot(Func<SnapshotMetadata, SnapshotMetadata> tamper)
    {
        PublishSnapshot();
        Source.Resign($"{_snapshotVersion}.snapshot.json", tamper, SnapshotKey);
        PublishTimestamp();
    }

    /// <summary>A new timestamp over the current snapshot (what the server re-signs every 12 h).</summary>
    public void PublishTimestamp(IMetadataSigner? key = null, long? version = null, long? snapshotVersion = null)
    {
        _timestampVersion = version ?? _timestampVersion + 1;
        var listed = snapshotVersion ?? _snapshotVersion;
        var timestamp = new TimestampMetadata
        {
            Version = _timestampVersion,
            Expires = _clock.Now + TimestampLife,
            Snapshot = MetaFile.Describe(listed, Source[$"{listed}.snapshot.json"]!),
        };
        Source["timestamp.json"] = MetadataSigning.Sign(timestamp, key ?? TimestampKey).ToBytes();
    }

    /// <summary>Root N+1 with <paramref name="change"/> applied, signed by <paramref name="signers"/> (default: old and new root keys).</summary>
    public void RotateRoot(Func<RootMetadata, RootMetadata> change, IMetadataSigner[]? newRootKeys = null, IEnumerable<IMetadataSigner>? signers = null)
    {
        var old = RootKeys;
        RootKeys = newRootKeys ?? RootKeys;
        var next = change(RootDocument(Root.Version + 1));
        PublishRoot(next, signers ?? old.Concat(RootKeys).DistinctBy(k => k.PublicKey.KeyId));
        Root = next;
    }

    public void PublishRoot(RootMetadata root, IEnumerable<IMetadataSigner> signers) =>
        Source[$"{root.Version}.root.json"] = MetadataSigning.Sign(root, signers).ToBytes();

    /// <summary>A root of the current keys at <paramref name="version"/>.</summary>
    public RootMetadata RootDocument(long version) => new()
    {
        Version = version,
        Expires = _clock.Now + RootLife,
        Keys = SampleMetadata.KeysOf([.. RootKeys, TargetsKey, SnapshotKey, TimestampKey]),
        Roles = new EquatableMap<RoleKeys>(new Dictionary<string, RoleKeys>
        {
            ["root"] = SampleMetadata.RoleOf(RootThreshold, RootKeys),
            ["targets"] = SampleMetadata.RoleOf(1, TargetsKey),
            ["snapshot"] = SampleMetadata.RoleOf(1, SnapshotKey),
            ["timestamp"] = SampleMetadata.RoleOf(1, TimestampKey),
        }),
    };

    private TargetsMetadata TopLevelDocument(long version) => new()
    {
        Version = version - 1, // Publish raises it
        Expires = _clock.Now + TargetsLife,
        Targets = EquatableMap<TargetFile>.Empty,
        Delegations = new Delegations(SampleMetadata.KeysOf(VendorKey, CompilerKey),
        [
            new DelegatedRole(Vendor, SampleMetadata.RoleOf(1, VendorKey), Terminating: true, Paths: [TargetPaths.VendorPattern("sensor-*")]),
            new DelegatedRole(Compiler, SampleMetadata.RoleOf(1, CompilerKey), Terminating: true, Paths: [TargetPaths.CompilerPattern(DeviceClass)]),
        ]),
    };

    /// <summary>The delegations with the vendor and compiler keys as they are now (after a key change, before publishing).</summary>
    public Delegations CurrentDelegations() => TopLevelDocument(1).Delegations!;

    private TargetsMetadata Empty(long version) => new() { Version = version, Expires = _clock.Now + DelegatedLife, Targets = EquatableMap<TargetFile>.Empty };

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
