using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.Delta;
using AtymSecure.Delivery.Bundles;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Delivery.Tests.Bundles;

/// <summary>Bundles built by the server side round-trip through the device-side reader and delta decoders.</summary>
public sealed class BundleBuilderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("atym-bundles-").FullName;
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

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

    private static BundleTarget Target(byte[] image, string deviceClass, string triple) => new()
    {
        ContainerName = "sensor-filter",
        ContainerVersion = "1.1.0",
        SecurityCounter = 2,
        DeviceClass = deviceClass,
        TargetTriple = triple,
        ArtifactKind = ArtifactKind.Wasm,
        TargetImage = image,
        Expires = Now.AddDays(7),
        Created = Now,
        ChunkSize = 1024,
    };

    private static async Task<byte[]> InstallAsync(string path, VerificationKey key, string deviceClass, byte[]? installed)
    {
        await using var file = File.OpenRead(path);
        var envelope = await BundleEnvelope.ReadAsync(file);
        var verified = BundleVerifier.Verify(envelope, [key], new BundleExpectations(deviceClass, Now.AddHours(1), 2, 1 << 20,
            installed is null ? null : SHA256.HashData(installed)));
        using var payload = new MemoryStream();
        await verified.OpenPayload(file).CopyToAsync(payload);
        var image = verified.Header.PayloadKind == PayloadKind.Full ? payload.ToArray() : DeltaPatchApplier.Apply(payload.ToArray(), installed!);
        Assert.Equal(verified.Header.TargetDigest, SHA256.HashData(image));
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
        var path = Path.Combine(_dir, "delta.bundle");
        var built = await BundleBuilder.WriteFileAsync(path, Target(next, deviceClass, triple), old, [key]);

        Assert.True(built.IsDelta);
        if (expectedCodec is { } codec) Assert.Equal(codec, built.Header.Codec);
        Assert.True(new FileInfo(path).Length < next.Length / 4, $"delta bundle is {new FileInfo(path).Length} bytes for a {next.Length}-byte image");
        Assert.Equal(next, await InstallAsync(path, VerificationKey.FromDer(key.PublicKeySpki.Span), deviceClass, old));
    }

    [Fact]
    public async Task Unrelated_images_fall_back_to_a_full_bundle()
    {
        var key = KeyGenerator.Generate();
        var old = Image(20_000, 3);
        var next = Image(20_000, 4);
        var path = Path.Combine(_dir, "full.bundle");
        var built = await BundleBuilder.WriteFileAsync(path, Target(next, "mcu-cortex-m4", "thumbv7em-none-eabi"), old, [key]);
        Assert.False(built.IsDelta);
        Assert.NotNull(built.Choice);
        Assert.Equal(next, await InstallAsync(path, VerificationKey.FromDer(key.PublicKeySpki.Span), "mcu-cortex-m4", null));
    }

    [Fact]
    public async Task Write_is_atomic_and_leaves_no_temp_files()
    {
        var key = KeyGenerator.Generate();
        var path = Path.Combine(_dir, "x.bundle");
        await BundleBuilder.WriteFileAsync(path, Target(Image(5000, 5), "linux-x86_64", "x86_64-unknown-linux-gnu"), null, [key]);
        Assert.Equal(["x.bundle"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        var invalid = Target(Image(10, 6), "linux-x86_64", "x86_64-unknown-linux-gnu") with { ContainerName = "Not Valid" };
        await Assert.ThrowsAsync<BundleFormatException>(() => BundleBuilder.WriteFileAsync(Path.Combine(_dir, "y.bundle"), invalid, null, [key]));
        Assert.Equal(["x.bundle"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }
}
