using AtymSecure.Primitives;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;

namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>One valid document of each kind, signed with <see cref="TestKeys"/>, for the model and fuzz tests.</summary>
internal static class SampleMetadata
{
    public static readonly DateTimeOffset Expires = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IMetadataSigner Root => TestKeys.Ed25519("root");
    public static IMetadataSigner Targets => TestKeys.Ed25519("targets");
    public static IMetadataSigner Snapshot => TestKeys.Ed25519("snapshot");
    public static IMetadataSigner Timestamp => TestKeys.Ed25519("timestamp");
    public static IMetadataSigner Compiler => TestKeys.Ed25519("compiler");
    public static IMetadataSigner Vendor => TestKeys.Ed25519("vendor");

    public static readonly ReleaseIdentity Release = new("sensor-filter", "1.2.0", "linux-x86_64", 7, ArtifactKind.WasmtimeNative);

    public static EquatableMap<TufKey> KeysOf(params IMetadataSigner[] signers) =>
        new(signers.DistinctBy(s => s.PublicKey.KeyId).Select(s => KeyValuePair.Create(s.PublicKey.KeyId, s.PublicKey)));

    public static RoleKeys RoleOf(int threshold, params IMetadataSigner[] signers) =>
        new(new EquatableList<string>(signers.Select(s => s.PublicKey.KeyId)), threshold);

    public static RootMetadata RootDocument(long version = 1) => new()
    {
        Version = version,
        Expires = Expires,
        Keys = KeysOf(Root, Targets, Snapshot, Timestamp),
        Roles = new EquatableMap<RoleKeys>(new Dictionary<string, RoleKeys>
        {
            ["root"] = RoleOf(1, Root),
            ["targets"] = RoleOf(1, Targets),
            ["snapshot"] = RoleOf(1, Snapshot),
            ["timestamp"] = RoleOf(1, Timestamp),
        }),
    };

    public static TargetsMetadata TopTargets(long version = 1) => new()
    {
        Version = version,
        Expires = Expires,
        Targets = EquatableMap<TargetFile>.Empty,
        Delegations = new Delegations(KeysOf(Compiler, Vendor),
        [
            new DelegatedRole(TargetPaths.VendorRole("acme"), RoleOf(1, Vendor), Terminating: true, Paths: [TargetPaths.VendorPattern("sensor-*")]),
            new DelegatedRole(TargetPaths.CompilerRole("linux-x86_64"), RoleOf(1, Compiler), Terminating: true, Paths: [TargetPaths.CompilerPattern("linux-x86_64")]),
        ]),
    };

    public static TargetsMetadata CompilerTargets(string imageSha256 = "aa00000000000000000000000000000000000000000000000000000000000000", long length = 4096) => new()
    {
        Version = 1,
        Expires = Expires,
        Targets = new EquatableMap<TargetFile>(new Dictionary<string, TargetFile>
        {
            [TargetPaths.Image(Release, imageSha256)] = new(length, new EquatableMap<string>(new Dictionary<string, string> { ["sha256"] = imageSha256 }),
                new ImageTargetCustom(Release, "sha256:" + new string('b', 64)).ToJson()),
        }),
    };

    public static SnapshotMetadata SnapshotDocument(params (string Role, byte[] File, long Version)[] files) => new()
    {
        Version = 1,
        Expires = Expires,
        Meta = new EquatableMap<MetaFile>(files.Select(f => KeyValuePair.Create(SnapshotMetadata.FileOf(f.Role), MetaFile.Describe(f.Version, f.File)))),
    };

    public static TimestampMetadata TimestampDocument(byte[] snapshotFile, long snapshotVersion = 1) => new()
    {
        Version = 1,
        Expires = Expires,
        Snapshot = MetaFile.Describe(snapshotVersion, snapshotFile),
    };

    public static TargetsMetadata DirectorTargets(string imageSha256, string bundleSha256 = "cc00000000000000000000000000000000000000000000000000000000000000") => new()
    {
        Version = 1,
        Expires = Expires,
        Targets = new EquatableMap<TargetFile>(new Dictionary<string, TargetFile>
        {
            [TargetPaths.Bundle(Release.Container, bundleSha256)] = new(2048,
                new EquatableMap<string>(new Dictionary<string, string> { ["sha256"] = bundleSha256 }),
                new DirectorTargetCustom(Release, new ImageReference(imageSha256, 4096)).ToJson()),
        }),
        Custom = new DirectorDocumentCustom("atym-0123456789abcdef", "linux-x86_64", "nonce-0123456789abcdef").ToJson(),
    };

    /// <summary>Every kind of file, signed: (name, bytes).</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> AllFiles()
    {
        var root = MetadataSigning.Sign(RootDocument(), Root).ToBytes();
        var targets = MetadataSigning.Sign(TopTargets(), Targets).ToBytes();
        var compiler = MetadataSigning.Sign(CompilerTargets(), Compiler).ToBytes();
        var snapshot = MetadataSigning.Sign(SnapshotDocument(("targets", targets, 1), ("compiler-linux-x86_64", compiler, 1)), Snapshot).ToBytes();
        var timestamp = MetadataSigning.Sign(TimestampDocument(snapshot), Timestamp).ToBytes();
        var director = MetadataSigning.Sign(DirectorTargets(new string('a', 64)), Targets).ToBytes();
        return [("root", root), ("targets", targets), ("compiler", compiler), ("snapshot", snapshot), ("timestamp", timestamp), ("director", director)];
    }
}
