using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Delta;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Tests.Support;

/// <summary>What the device's bootloader checks before it writes — signature under the trust anchors, header, chunk hashes,
/// image digest — and the image the bundle yields (a delta applied to <c>installed</c>).</summary>
internal static class BundleInstall
{
    public static async Task<(BundleHeader Header, byte[] Image)> InstallAsync(byte[] bundle, BundleTrustAnchors anchors, string deviceClass, byte[]? installed)
    {
        using var stream = new MemoryStream(bundle);
        var envelope = await BundleEnvelope.ReadAsync(stream);
        var verified = BundleVerifier.Verify(envelope, anchors,
            new BundleExpectations(deviceClass, DateTimeOffset.UtcNow, 0, 64 << 20, installed is null ? null : Digest.Compute(installed)));
        using var payload = new MemoryStream();
        await verified.OpenPayload(stream).CopyToAsync(payload);
        var image = verified.Header.PayloadKind == PayloadKind.Full ? payload.ToArray() : DeltaPatchApplier.Apply(payload.ToArray(), installed!);
        Assert.Equal(verified.Header.TargetDigest, Digest.Compute(image));
        return (verified.Header, image);
    }
}
