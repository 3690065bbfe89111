using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Cli.Up;

/// <summary>
/// What an operator does once with <c>atym tuf init</c> and <c>atym tuf add-delegation --compiler CLASS</c>, then uploads:
/// the offline keys and image root 1, top-level targets delegating <c>compiler-CLASS</c> to the server's online compiler
/// key for each fleet class, and director root 1 — made by the same <see cref="OfflineRepository"/> in <c>DATA/tuf-offline</c>
/// and handed to the in-process server's repositories (what the upload endpoints do). Idempotent: a second run adds only
/// what is missing. The root files are what every simulated device is provisioned with.
/// </summary>
internal static class TufBootstrap
{
    /// <summary>The demo vendor's delegation: <c>vendor-demo</c>, owning the <c>sensor-*</c> containers.</summary>
    public const string Vendor = "demo";

    public static async Task<TrustRootFiles> EnsureAsync(UpState state, LocalStack stack, IReadOnlyList<string> deviceClasses, string vendorPublicKey, CancellationToken ct)
    {
        var onlineKeys = new OtaMetadataOptions { DataFolder = state.OtaData }.KeysFolder;
        var offline = new OfflineRepository(state.OfflineTuf, state.Passphrase, TimeProvider.System);
        if (offline.Image.Versions("root").Count == 0) await offline.InitAsync(onlineKeys, SignatureAlgorithm.EcdsaP256Sha256, ct).ConfigureAwait(false);
        foreach (var deviceClass in deviceClasses)
        {
            if (!Delegates(offline, TargetPaths.CompilerRole(deviceClass))) await offline.AddCompilerAsync(deviceClass, onlineKeys, ct).ConfigureAwait(false);
        }
        if (!Delegates(offline, TargetPaths.VendorRole(Vendor)))
            await offline.AddVendorAsync(Vendor, new RoleAssignment([TufKey.From(VerificationKey.FromFile(vendorPublicKey))], 1), ["sensor-*"], ct).ConfigureAwait(false);

        var images = stack.Service<ImageRepository>();
        var published = images.Published;
        foreach (var version in offline.Image.Versions("root").Where(v => v > (published.Root?.Signed.Version ?? 0)))
            images.AcceptRoot(offline.Image.Read($"{version}.root.json"));
        var targets = offline.Image.Versions("targets")[^1];
        if (targets > (images.Published.TopLevel?.Signed.Version ?? 0)) images.AcceptTargets(offline.Image.Read($"{targets}.targets.json"));
        var director = stack.Service<UptaneDirector>();
        foreach (var version in offline.Director.Versions("root").Where(v => v > (director.Roots.Current?.Signed.Version ?? 0)))
            director.AcceptRoot(offline.Director.Read($"{version}.root.json"));
        return new TrustRootFiles(Path.Combine(offline.Director.Path, "1.root.json"), Path.Combine(offline.Image.Path, "1.root.json"));
    }

    private static bool Delegates(OfflineRepository offline, string role) =>
        OfflineRepository.Latest<TargetsMetadata>(offline.Image, "targets")!.Signed.Delegations?.Roles.Any(r => r.Name == role) == true;

    /// <summary>
    /// What the vendor signs offline (<c>atym tuf sign --role vendor-demo --add sources/…=module.wasm</c>) and uploads: its
    /// listing of each sample's source module, so a device accepts a compiled image only of source the vendor vouched for
    /// (TUF step 10). A new version is signed only when a source is missing from the published one.
    /// </summary>
    public static async Task ListSourcesAsync(UpState state, LocalStack stack, IReadOnlyList<PublishedSample> samples, CancellationToken ct)
    {
        var images = stack.Service<ImageRepository>();
        var role = TargetPaths.VendorRole(Vendor);
        var published = images.Published.Delegated.GetValueOrDefault(role);
        var targets = published?.Signed.Targets ?? EquatableMap<TargetFile>.Empty;
        var changed = false;
        foreach (var sample in samples)
        {
            var path = TargetPaths.Source(DemoPlan.Container, sample.Version);
            if (targets.ContainsKey(path)) continue;
            targets = targets.SetItem(path, TargetFile.Describe(await File.ReadAllBytesAsync(sample.ModulePath, ct).ConfigureAwait(false)));
            changed = true;
        }
        if (!changed) return;
        using var key = await PrivateKeyFile.LoadAsync(state.VendorKeyPrefix + ".key", state.Passphrase, ct).ConfigureAwait(false);
        using var signer = new OfflineMetadataSigner(key);
        var document = new TargetsMetadata { Version = (published?.Signed.Version ?? 0) + 1, Expires = DateTimeOffset.UtcNow + OfflineRepository.VendorLife, Targets = targets };
        images.AcceptDelegated(role, MetadataSigning.Sign(document, signer).ToBytes());
    }
}
