using AtymSecure.Primitives;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>An Uptane director in memory: its own root (root and targets roles only) and one targets document for the device.</summary>
internal sealed class TestDirector
{
    private readonly ManualClock _clock;

    public TestDirector(ManualClock clock)
    {
        _clock = clock;
        Root = RootDocument(1);
        Source["1.root.json"] = MetadataSigning.Sign(Root, RootKey).ToBytes();
    }

    public MemoryMetadataSource Source { get; } = new();

    public IMetadataSigner RootKey { get; set; } = TestKeys.Ed25519("director-root");

    public IMetadataSigner TargetsKey { get; set; } = TestKeys.Ed25519("director-targets");

    public RootMetadata Root { get; private set; }

    public long Version { get; private set; }

    public TimeSpan TargetsLife { get; set; } = TimeSpan.FromDays(1);

    /// <summary>One container to assign: the release, the image it yields, the bundle bytes to download, and the install window (null: none).</summary>
    public sealed record Assignment(ReleaseIdentity Release, string ImageSha256, long ImageLength, byte[] Bundle, InstallWindow? Window = null);

    /// <summary>Signs the next targets document for a device, answering <paramref name="nonce"/>.</summary>
    public byte[] Assign(string deviceId, string deviceClass, string nonce, params Assignment[] assignments) =>
        Publish(Document(deviceId, deviceClass, nonce, assignments), TargetsKey);

    public TargetsMetadata Document(string deviceId, string deviceClass, string nonce, params Assignment[] assignments) => new()
    {
        Version = Version + 1,
        Expires = _clock.Now + TargetsLife,
        Targets = new EquatableMap<TargetFile>(assignments.Select(a => KeyValuePair.Create(
            TargetPaths.Bundle(a.Release.Container, TestImageRepository.Hex(a.Bundle)),
            TargetFile.Describe(a.Bundle, new DirectorTargetCustom(a.Release, new ImageReference(a.ImageSha256, a.ImageLength), a.Window).ToJson())))),
        Custom = new DirectorDocumentCustom(deviceId, deviceClass, nonce).ToJson(),
    };

    public byte[] Publish(TargetsMetadata document, params IEnumerable<IMetadataSigner> signers)
    {
        Version = Math.Max(Version, document.Version);
        var bytes = MetadataSigning.Sign(document, signers).ToBytes();
        Source[TargetsFile] = bytes;
        return bytes;
    }

    public const string TargetsFile = "targets.json";

    /// <summary>Director root N+1 with new keys, signed by the old and the new root key.</summary>
    public void RotateRoot(IMetadataSigner? newRootKey = null, IMetadataSigner? newTargetsKey = null)
    {
        var oldRoot = RootKey;
        RootKey = newRootKey ?? RootKey;
        TargetsKey = newTargetsKey ?? TargetsKey;
        Root = RootDocument(Root.Version + 1);
        Source[$"{Root.Version}.root.json"] = MetadataSigning.Sign(Root, new[] { oldRoot, RootKey }.DistinctBy(k => k.PublicKey.KeyId)).ToBytes();
    }

    private RootMetadata RootDocument(long version) => new()
    {
        Version = version,
        Expires = _clock.Now + TimeSpan.FromDays(365),
        ConsistentSnapshot = false,
        Keys = SampleMetadata.KeysOf(RootKey, TargetsKey),
        Roles = new EquatableMap<RoleKeys>(new Dictionary<string, RoleKeys>
        {
            ["root"] = SampleMetadata.RoleOf(1, RootKey),
            ["targets"] = SampleMetadata.RoleOf(1, TargetsKey),
        }),
    };
}
