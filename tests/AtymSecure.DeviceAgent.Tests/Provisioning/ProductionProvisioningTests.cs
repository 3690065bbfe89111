using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Trust;
using AtymSecure.Formats;
using AtymSecure.Formats.Tests.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.DeviceAgent.Updates;

namespace AtymSecure.DeviceAgent.Tests.Provisioning;

/// <summary>
/// <c>atym device init --director-root F --image-root F</c> (docs/trust-model.md §2): a production device trusts its two
/// roots, keeps no bundle keys of its own, and installs nothing that verified metadata does not name.
/// </summary>
public sealed class ProductionProvisioningTests : IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("production-init");
    private readonly MetadataWorld _world = new();
    private readonly TestBundles _bundles;

    public ProductionProvisioningTests() => _bundles = new TestBundles(_temp.File("bundles"));

    public void Dispose()
    {
        _bundles.Dispose();
        _temp.Dispose();
    }

    private TrustRootFiles Roots(byte[]? director = null, byte[]? image = null)
    {
        var d = _temp.File($"director-root-{Guid.NewGuid():N}.json");
        var i = _temp.File($"image-root-{Guid.NewGuid():N}.json");
        File.WriteAllBytes(d, director ?? _world.DirectorRoot1);
        File.WriteAllBytes(i, image ?? _world.ImageRoot1);
        return new TrustRootFiles(d, i);
    }

    private static DeviceInitRequest Request(TrustRootFiles? roots, params string[] keys) =>
        new(DeviceProfile.Host, [new ContainerSlotPlan("sensor-filter", 256 * 1024)], [.. keys.Select(TrustedKeySpec.Parse)], Roots: roots);

    [Fact]
    public void A_device_with_both_roots_stores_them_as_its_trust_and_opens_in_production_without_bundle_keys()
    {
        var dir = new DeviceDirectory(_temp.File("dev"));
        DeviceProvisioner.Init(dir, Request(Roots()), _world.Clock);

        Assert.Empty(System.IO.Directory.GetFiles(dir.TrustedKeysDirectory));
        using var device = LocalDevice.Open(dir.Root);
        Assert.True(device.IsProduction);
        Assert.Equal((DeviceTrust.Production, 0), (device.BundleTrust.Mode, device.BundleTrust.Anchors!.Keys.Count));
        var trust = device.Trust!.Load();
        Assert.Equal(_world.Provisioned(), trust.Metadata);
    }

    [Fact]
    public void Next_to_roots_a_bundle_key_is_refused_and_no_device_is_made()
    {
        var dir = new DeviceDirectory(_temp.File("dev"));
        var e = Assert.Throws<DeviceDataException>(() => DeviceProvisioner.Init(dir, Request(Roots(), "compiler=" + _bundles.PublicKeyFile)));
        Assert.Contains("recovery keys alone", e.Message, StringComparison.Ordinal);
        Assert.False(dir.IsInitialised);
    }

    [Theory]
    [InlineData("vendor={key}:*")]
    [InlineData("vendor={key}:acme-*")]
    [InlineData("compiler={key}")]
    public void Next_to_roots_a_vendor_or_compiler_key_is_refused_even_beside_a_recovery_key(string spec)
    {
        using var ops = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var dir = new DeviceDirectory(_temp.File("dev"));
        var e = Assert.Throws<DeviceDataException>(() => DeviceProvisioner.Init(dir,
            Request(Roots(), "recovery=" + _bundles.PublicKeyFileOf(ops, "ops"), spec.Replace("{key}", _bundles.PublicKeyFile, StringComparison.Ordinal))));
        Assert.Contains("recovery keys alone", e.Message, StringComparison.Ordinal);
        Assert.False(dir.IsInitialised);
    }

    /// <summary>trust-model §2: next to roots only recovery keys (before, every --trust next to roots was refused).</summary>
    [Fact]
    public void Next_to_roots_recovery_keys_are_kept_mac_d_in_production_trust_json()
    {
        using var ops = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var opsFile = _bundles.PublicKeyFileOf(ops, "ops");
        var dir = new DeviceDirectory(_temp.File("dev"));
        DeviceProvisioner.Init(dir, Request(Roots(), "recovery=" + opsFile, "recovery=" + _bundles.PublicKeyFile), _world.Clock);

        Assert.Equal(DeviceTrustFile.Production, DeviceTrustFile.Parse(File.ReadAllBytes(dir.TrustFile)).Mode);
        using (var device = LocalDevice.Open(dir.Root))
        {
            Assert.True(device.IsProduction);
            Assert.Equal(DeviceTrust.Production, device.BundleTrust.Mode);
            Assert.Null(device.BundleTrust.Damage);
            Assert.Equal([Formats.Bundle.BundleKeyRole.Recovery, Formats.Bundle.BundleKeyRole.Recovery], device.BundleTrust.Anchors!.Keys.Select(k => k.Role));
            Assert.Equal(_world.Provisioned(), device.Trust!.Load().Metadata);
        }
        Assert.Equal(DeviceTrust.Production, DeviceStatusQuery.Read(dir.Root).Trust);

        // Turning a recovery key into a compiler key by hand fails the MAC: recovery state.
        var file = DeviceTrustFile.Parse(File.ReadAllBytes(dir.TrustFile));
        File.WriteAllBytes(dir.TrustFile, (file with { Keys = [file.Keys[0] with { Role = "compiler" }, file.Keys[1]] }).ToJson());
        using var tampered = LocalDevice.Open(dir.Root);
        Assert.Equal(DeviceTrust.Recovery, tampered.BundleTrust.Mode);
    }

    [Fact]
    public void A_root_that_its_own_keys_did_not_sign_is_refused()
    {
        var unsigned = MetadataSigning.Sign(_world.Repository.Root, TestKeys.Ed25519("someone else")).ToBytes();
        var dir = new DeviceDirectory(_temp.File("dev"));
        var e = Assert.Throws<DeviceDataException>(() => DeviceProvisioner.Init(dir, Request(Roots(image: unsigned))));
        Assert.Contains(ReasonCodes.ThresholdNotMet, e.Message, StringComparison.Ordinal);
        Assert.False(dir.IsInitialised);
    }

    [Fact]
    public void An_image_root_given_as_the_director_root_is_refused_for_its_roles()
    {
        // A director root has root and targets only; an image root has all four, so the swap fails the other way round.
        var dir = new DeviceDirectory(_temp.File("dev"));
        var e = Assert.Throws<DeviceDataException>(() => DeviceProvisioner.Init(dir, Request(Roots(director: _world.ImageRoot1, image: _world.DirectorRoot1))));
        Assert.Contains(ReasonCodes.MetadataMalformed, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_production_device_refuses_a_bare_bundle_as_metadata_missing_and_writes_no_slot()
    {
        var dir = new DeviceDirectory(_temp.File("dev"));
        DeviceProvisioner.Init(dir, Request(Roots()));
        var before = File.ReadAllBytes(dir.FlashFile);

        var install = Assert.IsType<InstallAttempt.Completed>(BundleFileInstaller.InstallOrQueue(dir.Root, _bundles.Full(TestBundles.Image("sensor-filter")))).Install;

        Assert.Equal(InstallResult.Refused, install.Result);
        Assert.StartsWith(ReasonCodes.MetadataMissing + ":", install.Detail, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(dir.FlashFile));
    }

    [Fact]
    public void A_damaged_trust_store_makes_the_device_refuse_to_load_its_trust_as_recovery_state()
    {
        var dir = new DeviceDirectory(_temp.File("dev"));
        DeviceProvisioner.Init(dir, Request(Roots()));
        File.WriteAllText(Path.Combine(TrustStore.TrustDirectory(dir), "state"), "{}\n" + new string('0', 64));

        using var device = LocalDevice.Open(dir.Root);
        Assert.True(Assert.Throws<TrustStoreDamagedException>(() => device.Trust!.Load()).Has(ReasonCodes.RecoveryState));
    }
}
