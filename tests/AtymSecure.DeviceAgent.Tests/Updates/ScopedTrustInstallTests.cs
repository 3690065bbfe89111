using System.Security.Cryptography;
using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats;

namespace AtymSecure.DeviceAgent.Tests.Updates;

/// <summary>
/// A device that trusts two vendors, each for its own containers, the compiler, and an operator's recovery key
/// (docs/trust-model.md §2, §3 step 13, §4), driven through the real installer, bootloader and runner. Before key scopes vendor B's signature
/// installed vendor A's container, and a device in recovery had no way out but re-provisioning.
/// </summary>
public sealed class ScopedTrustInstallTests : IDisposable
{
    private const string Sensor = "sensor-filter";
    private static readonly ECDsa Acme = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa Beta = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa Ops = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private readonly DeviceFixture _device = new(bundles =>
    [
        new TrustedKeySpec("vendor", bundles.PublicKeyFileOf(Acme, "acme"), "sensor-*"),
        new TrustedKeySpec("vendor", bundles.PublicKeyFileOf(Beta, "beta"), "anomaly-*"),
        new TrustedKeySpec("recovery", bundles.PublicKeyFileOf(Ops, "ops"), null),
        new TrustedKeySpec("compiler", bundles.PublicKeyFile, null),
    ], Sensor, "anomaly-detector");

    private static readonly string HostClass = DeviceProfile.Find(DeviceProfile.Host).DeviceClass.Name;

    public void Dispose() => _device.Dispose();

    private static void Installed(InstallStatus install) =>
        Assert.True(install.Result == InstallResult.Installed, $"install of {install.Bundle}: {install.Result}: {install.Detail}");

    [Fact]
    public void Vendor_B_cannot_sign_vendor_As_container_and_each_vendor_installs_its_own()
    {
        var refused = _device.Install(_device.Bundles.Full(TestBundles.Image(Sensor), signer: Beta));
        Assert.Equal(InstallResult.Refused, refused.Result);
        Assert.Contains(ReasonCodes.SignerOutOfScope, refused.Detail, StringComparison.Ordinal);
        Assert.Equal(ContainerState.Empty, _device.Container(Sensor).State);

        Installed(_device.Install(_device.Bundles.Full(TestBundles.Image(Sensor), signer: Acme)));
        Installed(_device.Install(_device.Bundles.Full(TestBundles.Image("anomaly-detector"), signer: Beta)));
        Assert.All(_device.Run().Containers, c => Assert.Equal(ContainerState.Confirmed, c.State));
    }

    [Fact]
    public void A_recovery_key_signs_recovery_bundles_only()
    {
        var ordinary = _device.Install(_device.Bundles.Full(TestBundles.Image(Sensor), signer: Ops));
        Assert.Equal(InstallResult.Refused, ordinary.Result);
        Assert.Contains(ReasonCodes.SignerOutOfScope, ordinary.Detail, StringComparison.Ordinal);
        var notInRecovery = _device.Install(_device.Bundles.Full(TestBundles.Image(Sensor), signer: Ops, recovery: true));
        Assert.Equal(InstallResult.Refused, notInRecovery.Result);
        Assert.Contains(ReasonCodes.NotInRecovery, notInRecovery.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_in_recovery_takes_a_recovery_signed_bundle_and_leaves_recovery()
    {
        Installed(_device.Install(_device.Bundles.Full(TestBundles.Image(Sensor), signer: Acme)));
        Assert.Equal(ContainerState.Confirmed, _device.Run().Containers.Single(c => c.Name == Sensor).State);
        // A replaced MAC key: no state record verifies any more (issue 11 §2). A replaced key also fails trust.json's MAC
        // (trust-model §4), and then the recovery keys themselves are not believed; here only the state log is to be
        // damaged, so trust.json is re-MAC'd with the new key, as if it lived in protected flash.
        var dir = new DeviceDirectory(_device.Data);
        var newKey = RandomNumberGenerator.GetBytes(32);
        File.WriteAllBytes(dir.BootKeyFile, newKey);
        File.WriteAllText(DeviceTrust.MacFile(dir), AtymSecure.DeviceAgent.Trust.StoreMacKey.Derive(newKey, DeviceTrust.MacLabel).MacHex(File.ReadAllBytes(dir.TrustFile)) + "\n");
        Assert.NotNull(_device.Status().Recovery);

        var ordinary = _device.Install(_device.Bundles.Full(TestBundles.Image(Sensor), signer: Acme));
        Assert.Equal(InstallResult.Refused, ordinary.Result);
        Assert.Contains(ReasonCodes.RecoveryState, ordinary.Detail, StringComparison.Ordinal);
        var byVendor = _device.Install(_device.Bundles.Full(TestBundles.Image(Sensor), signer: Acme, recovery: true));
        Assert.Contains(ReasonCodes.SignerOutOfScope, byVendor.Detail, StringComparison.Ordinal);
        Assert.NotNull(_device.Status().Recovery);

        Installed(_device.Install(_device.Bundles.Full(TestBundles.Image(Sensor), signer: Ops, recovery: true)));
        var status = _device.Status();
        Assert.Null(status.Recovery);
        Assert.Equal(ContainerState.Pending, status.Containers.Single(c => c.Name == Sensor).State);
        var run = _device.Run();
        Assert.Null(run.Recovery);
        Assert.Equal(ContainerState.Confirmed, run.Containers.Single(c => c.Name == Sensor).State);
    }

    [Fact]
    public void A_vendor_signed_native_bundle_is_native_not_from_compiler_and_the_same_code_from_the_compiler_installs_and_runs()
    {
        // A real .cwasm of the vendor's own container, signed by the vendor key whose pattern covers it (issue 11 §1).
        var native = TestBundles.NativeImage(Sensor, HostClass);
        var refused = _device.Install(_device.Bundles.Full(native, HostClass, signer: Acme));
        Assert.Equal(InstallResult.Refused, refused.Result);
        Assert.Contains(ReasonCodes.NativeNotFromCompiler, refused.Detail, StringComparison.Ordinal);
        Assert.Contains("WasmtimeNative", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(ContainerState.Empty, _device.Container(Sensor).State);
        Assert.All(_device.Container(Sensor).Slots, s => Assert.Null(s.Version));

        Installed(_device.Install(_device.Bundles.Full(native, HostClass)));
        Assert.Equal(ContainerState.Confirmed, _device.Run().Containers.Single(c => c.Name == Sensor).State);
    }
}
