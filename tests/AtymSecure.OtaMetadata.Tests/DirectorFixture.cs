using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.OtaMetadata.Tests;

/// <summary>
/// A server data folder with online keys and a director whose root the "operator" signed offline with test keys;
/// plus what a device needs to check the director's answers with the real <see cref="UpdateVerifier"/>.
/// </summary>
internal sealed class DirectorFixture : IDisposable
{
    public const string DeviceId = "atym-0123456789abcdef";
    public const string DeviceClass = "linux-x86_64";

    public static readonly ReleaseIdentity Release = new("sensor-filter", "1.2.0", DeviceClass, 7, ArtifactKind.WasmtimeNative);

    public DirectorFixture(DateTimeOffset? start = null)
    {
        Data = TempFolder.Create("ota-director");
        Clock = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        Keys = new FileOnlineKeyStore(Data.File("keys"));
        Keys.EnsureKey(OnlineRole.DirectorTargets);
        Director = new UptaneDirector(Data.File("director"), Keys, Clock);
        RootKey = OfflineTestKeys.Get("director-root-1");
        Director.AcceptRoot(SignRoot(1, RootKey, Keys.Keys(OnlineRole.DirectorTargets)[^1].PublicKey, [RootKey]));
        ImageRoot = MetadataSigning.Sign(RootPlan.Build(1, Clock.GetUtcNow().AddDays(365), new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([OfflineTestKeys.Get("image-root").PublicKey], 1),
            ["targets"] = new([OfflineTestKeys.Get("image-targets").PublicKey], 1),
            ["snapshot"] = new([OfflineTestKeys.Get("image-snapshot").PublicKey], 1),
            ["timestamp"] = new([OfflineTestKeys.Get("image-timestamp").PublicKey], 1),
        }, consistentSnapshot: true), OfflineTestKeys.Get("image-root")).ToBytes();
    }

    public TempFolder Data { get; }

    public FakeTimeProvider Clock { get; }

    public FileOnlineKeyStore Keys { get; }

    public UptaneDirector Director { get; }

    public IMetadataSigner RootKey { get; set; }

    public byte[] ImageRoot { get; }

    public byte[] SignRoot(long version, IMetadataSigner rootKey, TufKey targetsKey, IEnumerable<IMetadataSigner> signers) =>
        MetadataSigning.Sign(RootPlan.Build(version, Clock.GetUtcNow().AddDays(365), new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([rootKey.PublicKey], 1),
            ["targets"] = new([targetsKey], 1),
        }, consistentSnapshot: false), signers).ToBytes();

    public static DirectorTargetsRequest Request(string nonce, params DirectorBundleTarget[] targets) =>
        new(DeviceId, DeviceClass, nonce, new EquatableList<DirectorBundleTarget>(targets));

    public static DirectorBundleTarget Target(string imageSha256 = "0f0a000000000000000000000000000000000000000000000000000000000004", ReleaseIdentity? release = null) =>
        new(release ?? Release, new string('b', 64), 2048, new ImageReference(imageSha256, 4096));

    /// <summary>The director files a device fetches, as the OTA service serves them for <see cref="DeviceId"/>.</summary>
    public MemoryMetadataSource DirectorSource()
    {
        var source = new MemoryMetadataSource();
        foreach (var version in Director.Metadata.Versions("root")) source[$"{version}.root.json"] = Director.File(DeviceId, $"{version}.root.json");
        source[UptaneDirector.TargetsFile] = Director.File(DeviceId, UptaneDirector.TargetsFile);
        return source;
    }

    /// <summary>A device that holds <paramref name="imageSha256"/> already, so a cycle checks the director (steps 1–3) and stops.</summary>
    public static DeviceContext DeviceHolding(string imageSha256, params string[] nonces) =>
        new(DeviceId, DeviceClass, new EquatableList<string>(nonces),
            new EquatableMap<InstalledContainer>([KeyValuePair.Create(Release.Container, new InstalledContainer(0, imageSha256))]));

    public void Dispose()
    {
        Keys.Dispose();
        Data.Dispose();
    }
}
