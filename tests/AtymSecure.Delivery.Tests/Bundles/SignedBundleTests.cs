using AtymSecure.TestSupport;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.Delta;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Bundles;
using AtymSecure.Delivery.Delta;
using AtymSecure.Signer.Keys;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Tests.Bundles;

/// <summary>
/// The last steps of the cut on raw images — payload choice, header, signature, output — round-trip through the
/// device-side reader and delta decoders.
/// </summary>
public sealed class SignedBundleTests : IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("bundles");
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    public void Dispose() => _temp.Dispose();

    private static byte[] Image(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>A new version that shares most bytes with the old one (a realistic small update).</summary>
    private static byte[] Edit(byte[] old, int seed)
    {
        var next = (byte[])old.Clone();
        var random = new Random(seed);
        for (var i = 0; i < 40; i++) next[random.Next(next.Length)] = (byte)random.Next(256);
        return [.. next.AsSpan(0, next.Length / 2), .. Image(300, seed), .. next.AsSpan(next.Length / 2)];
    }

    private static readonly ContainerConfig SensorFilter = new() { Name = "sensor-filter", Version = SemanticVersion.Parse("1.1.0") };

    private static readonly ContainerBundleOptions Options = new() { Expires = Now.AddDays(7), Created = Now, SecurityCounter = 2, ChunkSize = 1024 };

    /// <summary>Payload choice, header, signature and file: the cutter's steps after the slot image.</summary>
    private static async Task<(BundleHeader Header, DeltaChoice? Choice)> WriteFileAsync(string path, byte[] image, string deviceClass, string triple,
        byte[]? installed, SoftwareSigningKey key, ContainerConfig? container = null)
    {
        var cls = DeviceClassTable.Get(deviceClass);
        var slot = new ContainerSlotImage(image, ImageFormat.RawArtifact, ArtifactKind.Wasm, triple, []);
        var payload = BundlePayload.Choose(image, installed, cls, out var choice);
        var header = BundleHeaderFactory.Create(container ?? SensorFilter, cls, slot, payload, Options, null);
        var bundle = await SignedBundle.SignAsync(header, payload.Bytes, [key]);
        await bundle.WriteFileAsync(path);
        return (bundle.Header, choice);
    }

    private static async Task<byte[]> InstallAsync(string path, VerificationKey key, string deviceClass, byte[]? installed)
    {
        await using var file = File.OpenRead(path);
        var envelope = await BundleEnvelope.ReadAsync(file);
        var verified = BundleVerifier.Verify(envelope, BundleTrustAnchors.Of(TrustedBundleKey.Compiler(key)), new BundleExpectations(deviceClass, Now.AddHours(1), 2, 1 << 20,
            installed is null ? null : Digest.Compute(installed)));
        using var payload = new MemoryStream();
        await verified.OpenPayload(file).CopyToAsync(payload);
        var image = verified.Header.PayloadKind == PayloadKind.Full ? payload.ToArray() : DeltaPatchApplier.Apply(payload.ToArray(), installed!);
        Assert.Equal(verified.Header.TargetDigest, Digest.Compute(image));
        return image;
    }

    [Theory]
    [InlineData("mcu-cortex-m4", "thumbv7em-none-eabi", PayloadCodec.SeqDiff)]
    [InlineData("linux-x86_64", "x86_64-unknown-linux-gnu", null)]
    public async Task Delta_bundle_is_smaller_and_rebuilds_the_target(string deviceClass, string triple, PayloadCodec? expectedCodec)
    {
        var key = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);
        var old = Image(60_000, 1);
        var next = Edit(old, 2);
        var path = Path.Combine(_temp.Path, "delta.bundle");
        var (header, _) = await WriteFileAsync(path, next, deviceClass, triple, old, key);

        Assert.Equal(PayloadKind.Delta, header.PayloadKind);
        if (expectedCodec is { } codec) Assert.Equal(codec, header.Codec);
        Assert.True(new FileInfo(path).Length < next.Length / 4, $"delta bundle is {new FileInfo(path).Length} bytes for a {next.Length}-byte image");
        Assert.Equal(next, await InstallAsync(path, VerificationKey.FromDer(key.PublicKeySpki.Span), deviceClass, old));
    }

    [Fact]
    public async Task Unrelated_images_fall_back_to_a_full_bundle()
    {
        var key = KeyGenerator.Generate();
        var old = Image(20_000, 3);
        var next = Image(20_000, 4);
        var path = Path.Combine(_temp.Path, "full.bundle");
        var (header, choice) = await WriteFileAsync(path, next, "mcu-cortex-m4", "thumbv7em-none-eabi", old, key);
        Assert.Equal(PayloadKind.Full, header.PayloadKind);
        Assert.NotNull(choice);
        Assert.Equal(next, await InstallAsync(path, VerificationKey.FromDer(key.PublicKeySpki.Span), "mcu-cortex-m4", null));
    }

    [Fact]
    public async Task Write_is_atomic_and_leaves_no_temp_files()
    {
        var key = KeyGenerator.Generate();
        var path = Path.Combine(_temp.Path, "x.bundle");
        await WriteFileAsync(path, Image(5000, 5), "linux-x86_64", "x86_64-unknown-linux-gnu", null, key);
        Assert.Equal(["x.bundle"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName));
        var invalid = SensorFilter with { Name = "Not Valid" };
        await Assert.ThrowsAsync<BundleFormatException>(() => WriteFileAsync(Path.Combine(_temp.Path, "y.bundle"), Image(10, 6), "linux-x86_64", "x86_64-unknown-linux-gnu", null, key, invalid));
        Assert.Equal(["x.bundle"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Stream_file_and_store_outputs_hold_the_same_bytes()
    {
        using var key = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);
        var cls = DeviceClassTable.LinuxX86_64;
        var image = Image(3000, 7);
        var payload = BundlePayload.Choose(image, null, cls, out _);
        var header = BundleHeaderFactory.Create(SensorFilter, cls, new ContainerSlotImage(image, ImageFormat.RawArtifact, ArtifactKind.Wasm, "x86_64-unknown-linux-gnu", []), payload, Options, null);
        var bundle = await SignedBundle.SignAsync(header, payload.Bytes, [key]);
        var again = await SignedBundle.SignAsync(header, payload.Bytes, [key]);

        using var stream = new MemoryStream();
        await bundle.WriteToAsync(stream);
        var path = Path.Combine(_temp.Path, "z.bundle");
        await bundle.WriteFileAsync(path);
        var store = new AtymSecure.Oci.Content.MemoryStore();
        var blob = await bundle.PushAsync(store);

        Assert.Equal(stream.ToArray(), await File.ReadAllBytesAsync(path));
        Assert.Equal(stream.ToArray(), await again.ToArrayAsync()); // Ed25519: the same inputs and key give the same bytes
        Assert.Equal(SignedBundle.MediaType, blob.MediaType);
        Assert.Equal(stream.ToArray(), await AtymSecure.Oci.Content.ContentExtensions.FetchAllAsync(store, blob, 1 << 20));
        await Assert.ThrowsAsync<ArgumentException>(() => SignedBundle.SignAsync(header, payload.Bytes[1..], [key]));
    }
}
