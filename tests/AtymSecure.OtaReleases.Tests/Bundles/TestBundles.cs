using AtymSecure.Delivery.Bundles;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Signer.Keys;

namespace AtymSecure.OtaReleases.Tests.Bundles;

/// <summary>Real signed bundles of a random image (the cutter's last steps: payload, header, Ed25519 signature), for the bundle store contract.</summary>
internal static class TestBundles
{
    private static readonly SoftwareSigningKey Key = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);

    public static async Task<SignedBundle> FullAsync(int imageLength, int seed)
    {
        var image = new byte[imageLength];
        new Random(seed).NextBytes(image);
        var cls = DeviceClassTable.Get("linux-x86_64");
        var slot = new ContainerSlotImage(image, ImageFormat.RawArtifact, ArtifactKind.Wasm, "x86_64-unknown-linux-gnu", []);
        var payload = BundlePayload.Choose(image, null, cls, out _);
        var header = BundleHeaderFactory.Create(new ContainerConfig { Name = "sensor-filter", Version = SemanticVersion.Parse("1.0.0") }, cls, slot, payload,
            new ContainerBundleOptions { Expires = Now.AddDays(7), Created = Now, SecurityCounter = 1, ChunkSize = 1024 }, null);
        return await SignedBundle.SignAsync(header, payload.Bytes, [Key]);
    }
}
