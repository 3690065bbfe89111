using System.Security.Cryptography;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Tests;

/// <summary>
/// A whole server's metadata (director of <see cref="DirectorFixture"/> plus the image repository in the same data
/// folder) bootstrapped the way an operator does it: image root 1 and top-level targets signed with offline test keys
/// (delegating <c>vendor-acme</c> for <c>sensor-*</c> and <c>compiler-linux-x86_64</c> to the server's compiler key),
/// and the vendor's source listing signed with the vendor's key and uploaded.
/// </summary>
internal sealed class RepositoryFixture : IDisposable
{
    public RepositoryFixture(DateTimeOffset? start = null)
    {
        Server = new DirectorFixture(start);
        foreach (var role in OnlineRoleNames.All) Keys.EnsureKey(role);
        Image = new ImageRepository(Server.Data.File("image"), Keys, Clock);
        Image.AcceptRoot(SignImageRoot(1, [RootKey]));
        Image.AcceptTargets(SignTopLevel(1));
    }

    public DirectorFixture Server { get; }

    public FileOnlineKeyStore Keys => Server.Keys;

    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock => Server.Clock;

    public UptaneDirector Director => Server.Director;

    public ImageRepository Image { get; private set; }

    public IMetadataSigner RootKey { get; set; } = OfflineTestKeys.Get("image-root-1");

    public IMetadataSigner TargetsKey { get; set; } = OfflineTestKeys.Get("image-targets-1");

    public IMetadataSigner VendorKey { get; set; } = OfflineTestKeys.Get("vendor-acme-1");

    public long VendorVersion { get; private set; }

    public EquatableMap<TargetFile> VendorTargets { get; private set; } = EquatableMap<TargetFile>.Empty;

    public IOnlineKey Online(OnlineRole role) => Keys.Keys(role)[^1];

    public byte[] SignImageRoot(long version, IEnumerable<IMetadataSigner> signers, IOnlineKey? snapshot = null, IOnlineKey? timestamp = null) =>
        MetadataSigning.Sign(RootPlan.Build(version, Clock.GetUtcNow().AddDays(365), new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([RootKey.PublicKey], 1),
            ["targets"] = new([TargetsKey.PublicKey], 1),
            ["snapshot"] = new([(snapshot ?? Online(OnlineRole.Snapshot)).PublicKey], 1),
            ["timestamp"] = new([(timestamp ?? Online(OnlineRole.Timestamp)).PublicKey], 1),
        }, consistentSnapshot: true), signers).ToBytes();

    public TargetsMetadata TopLevel(long version, IOnlineKey? compiler = null)
    {
        var doc = new TargetsMetadata { Version = version, Expires = Clock.GetUtcNow().AddDays(90), Targets = EquatableMap<TargetFile>.Empty };
        doc = DelegationPlan.WithVendor(doc, "acme", new RoleAssignment([VendorKey.PublicKey], 1), ["sensor-*"]);
        return DelegationPlan.WithCompiler(doc, DirectorFixture.DeviceClass, new RoleAssignment([(compiler ?? Online(OnlineRole.Compiler)).PublicKey], 1));
    }

    public byte[] SignTopLevel(long version, IOnlineKey? compiler = null) => MetadataSigning.Sign(TopLevel(version, compiler), TargetsKey).ToBytes();

    /// <summary>The vendor lists <paramref name="wasm"/> as the source of container/version and uploads the next version.</summary>
    public byte[] VendorListing(string container, string version, byte[] wasm)
    {
        VendorTargets = VendorTargets.SetItem(TargetPaths.Source(container, version), TargetFile.Describe(wasm));
        var doc = new TargetsMetadata { Version = VendorVersion + 1, Expires = Clock.GetUtcNow().AddDays(180), Targets = VendorTargets };
        return MetadataSigning.Sign(doc, VendorKey).ToBytes();
    }

    public void UploadVendor(string container, string version, byte[] wasm)
    {
        Image.AcceptDelegated("vendor-acme", VendorListing(container, version, wasm));
        VendorVersion++;
    }

    /// <summary>Publishes a release: source listed by the vendor, image by the compiler role; returns the image target.</summary>
    public CompiledImageTarget Release(ReleaseIdentity release, byte[] image, byte[] wasm)
    {
        UploadVendor(release.Container, release.Version, wasm);
        var target = new CompiledImageTarget(release, Hex(image), image.Length, "sha256:" + Hex(wasm), "sha256:" + new string('c', 64));
        Image.AddCompiledImages(release.DeviceClass, [target]);
        return target;
    }

    /// <summary>The director names <paramref name="image"/> for the device, answering <paramref name="nonce"/>.</summary>
    public DirectorAnswer Assign(CompiledImageTarget image, string nonce, byte[]? bundle = null)
    {
        bundle ??= [1, 2, 3];
        return Director.Signer.Answer(DirectorFixture.Request(nonce,
            new DirectorBundleTarget(image.Release, Hex(bundle), bundle.Length, new ImageReference(image.ImageSha256, image.Length))));
    }

    /// <summary>The image repository as a device fetches it (the files of the metadata folder).</summary>
    public IMetadataSource ImageSource() => new FolderSource(Image.Metadata);

    public UpdateCheck DeviceCheck(TrustedState state, DeviceContext device) =>
        new UpdateVerifier(Clock).Check(state, new UpdateSources(Server.DirectorSource(), ImageSource()), device);

    public TrustedState Provisioned() =>
        TrustedState.Provision(Image.Metadata.Read("1.root.json"), Director.File(DirectorFixture.DeviceId, "1.root.json"));

    public static DeviceContext FreshDevice(params string[] nonces) =>
        new(DirectorFixture.DeviceId, DirectorFixture.DeviceClass, new EquatableList<string>(nonces),
            new EquatableMap<InstalledContainer>([KeyValuePair.Create(DirectorFixture.Release.Container, new InstalledContainer(0))]));

    public void Restart() => Image = new ImageRepository(Server.Data.File("image"), Keys, Clock);

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose() => Server.Dispose();

    private sealed class FolderSource(MetadataFolder folder) : IMetadataSource
    {
        public byte[]? Fetch(string name, long maxBytes) => folder.Read(name);
    }
}
