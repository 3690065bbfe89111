using System.Security.Cryptography;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.Tests.PowerCuts;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Formats;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;

namespace AtymSecure.Bootloader.Tests.Install;

/// <summary>The real bundle format (formats/Bundle) read by <see cref="BundleInstallImage"/> and installed.</summary>
public sealed class BundleInstallTests : IDisposable
{
    private const int Size = 6 * 1024;
    private static readonly byte[] V1 = TestImages.Random(Size - 777, 1);
    private static readonly byte[] V2 = TestImages.Evolve(V1, 2, Size);
    private readonly SignedBundles _bundles = new();
    private readonly SimDevice _device = SimDevice.Create(AtymSecure.Bootloader.Flash.FlashProfile.Nrf52Like, [new(Scenarios.App, 8192)]);

    public void Dispose() => _bundles.Dispose();

    private byte[] Bundle(byte[] payload, byte[] target, uint counter, bool delta, string deviceClass = SimDevice.DeviceClass) => delta
        ? _bundles.Delta(Scenarios.App, V1, target, payload, "2.0.0", counter, deviceClass)
        : _bundles.Full(Scenarios.App, target, "1.0.0", counter, deviceClass);

    private BundleInstallImage Open(byte[] bundle, BundleTrustAnchors? keys = null) => _bundles.Open(bundle, keys);

    private void Install(byte[] bundle)
    {
        var image = Open(bundle);
        _device.Open().Install(image, image);
        var bl = _device.Open();
        bl.Boot();
        bl.Confirm(Scenarios.App);
    }

    [Fact]
    public void A_full_bundle_then_a_SeqDiff_delta_bundle_install_and_run()
    {
        Install(Bundle(V1, V1, 1, delta: false));
        Install(Bundle(GoldenDelta.Patch(Scenarios.App, Size), V2, 2, delta: true));
        var bl = _device.Open();
        var result = bl.Boot()[Scenarios.App];
        Assert.Equal(V2, bl.OpenImage(Scenarios.App, result.RunningSlot).ReadAll());
        Assert.Equal(SlotId.B, result.RunningSlot);
    }

    [Fact]
    public void Bundle_rejections_map_to_install_problems_and_touch_nothing()
    {
        Install(Bundle(V1, V1, 5, delta: false));
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var cases = new (byte[] Bundle, BundleTrustAnchors? Keys, string Code)[]
        {
            (Bundle(V2, V2, 6, delta: false), BundleTrustAnchors.Of(TrustedBundleKey.Vendor(VerificationKey.FromDer(stranger.ExportSubjectPublicKeyInfo()), ContainerNamePattern.Any)), ReasonCodes.UntrustedSigner),
            (Bundle(V2, V2, 4, delta: false), null, ReasonCodes.CounterRollback),
            (Bundle(V2, V2, 6, delta: false, deviceClass: "esp32"), null, ReasonCodes.WrongClass),
        };
        foreach (var (bundle, keys, code) in cases)
        {
            var ops = _device.Flash.OperationCount;
            var image = Open(bundle, keys);
            var e = Assert.Throws<InstallRefusedException>(() => _device.Open().Install(image, image));
            Assert.True(e.Has(code), $"expected {code}: {e.Message}");
            Assert.Equal(ops, _device.Flash.OperationCount);
        }
    }

    [Fact]
    public void A_rollback_bundle_is_reported_as_exactly_one_counter_problem()
    {
        Install(Bundle(V1, V1, 5, delta: false));
        var image = Open(Bundle(V2, V2, 4, delta: false));
        var e = Assert.Throws<InstallRefusedException>(() => _device.Open().Install(image, image));
        Assert.Equal(ReasonCodes.CounterRollback, Assert.Single(e.Problems).Code);
    }

    [Fact]
    public void A_payload_chunk_damaged_in_transit_is_caught_before_the_trial_is_recorded()
    {
        Install(Bundle(V1, V1, 1, delta: false));
        var bundle = Bundle(V2, V2, 2, delta: false);
        bundle[^100] ^= 0x01;
        var image = Open(bundle);
        var e = Assert.Throws<InstallVerificationException>(() => _device.Open().Install(image, image));
        Assert.Equal(ReasonCodes.ChunkMismatch, Assert.Single(e.Problems).Code);
        Assert.StartsWith("chunkHashes[", e.Problems[0].Path, StringComparison.Ordinal);
        var bl = _device.Open();
        var result = bl.Boot()[Scenarios.App];
        Assert.Equal(V1, bl.OpenImage(Scenarios.App, result.RunningSlot).ReadAll());
    }
}
