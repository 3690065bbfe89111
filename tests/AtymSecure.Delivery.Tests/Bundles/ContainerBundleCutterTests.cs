using AtymSecure.Container.Project;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.ContainerImage;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.Delta;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Bundles;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Delivery.Tests.Support;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Tests.Bundles;

/// <summary>
/// <see cref="ContainerBundleCutter"/> on the real samples: built into an OCI store and signed, compiled with the real
/// back ends, read back on the device side (BundleEnvelope/BundleVerifier → DeltaPatchApplier → ContainerImageReader).
/// </summary>
public sealed class ContainerBundleCutterTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = SignedSampleStore.Now;
    private readonly string _dir = Directory.CreateTempSubdirectory("atym-cutter-").FullName;
    private readonly SignedSampleStore _samples = new();

    private static string Sample(string name) => SignedSampleStore.Sample(name);

    public Task InitializeAsync() => _samples.BuildSignedAsync();

    public Task DisposeAsync()
    {
        _samples.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private ContainerSource Source(string tag) => _samples.Source(tag);

    private ContainerBundleCutter Cutter() => new(HostAotCompiler.Instance, _samples.TrustedKeys);

    private static ContainerBundleOptions Options => new() { Expires = Now.AddDays(7), Created = Now };

    /// <summary>Cuts and writes the bundle file the device reads.</summary>
    private async Task<CutBundle> CutAsync(string tag, string? baseTag, DeviceClass deviceClass, IReadOnlyCollection<Capability>? grants, string file,
        ContainerBundleOptions? options = null)
    {
        var cut = await Cutter().CutAsync(Source(tag), baseTag is null ? null : Source(baseTag), deviceClass, grants, [_samples.Trusted], options ?? Options);
        await cut.Bundle.WriteFileAsync(Path.Combine(_dir, file));
        return cut;
    }

    /// <summary>The device side: verify, stream the payload, apply a delta to the installed image, check the target digest.</summary>
    private async Task<(BundleHeader Header, byte[] Image)> InstallAsync(string path, string deviceClass, byte[]? installed)
    {
        await using var file = File.OpenRead(path);
        var envelope = await BundleEnvelope.ReadAsync(file);
        var verified = BundleVerifier.Verify(envelope, BundleTrustAnchors.Of(TrustedBundleKey.Compiler(VerificationKey.FromDer(_samples.Trusted.PublicKeySpki.Span))),
            new BundleExpectations(deviceClass, Now.AddHours(1), 0, 64 << 20, installed is null ? null : Digest.Compute(installed)));
        using var payload = new MemoryStream();
        await verified.OpenPayload(file).CopyToAsync(payload);
        var image = verified.Header.PayloadKind == PayloadKind.Full ? payload.ToArray() : DeltaPatchApplier.Apply(payload.ToArray(), installed!);
        Assert.Equal(verified.Header.TargetDigest, Digest.Compute(image));
        if (verified.Header.ImageFormat == ImageFormat.ContainerImageV1)
            ContainerImageBundleBinding.Ensure(ContainerImageReader.Read(image), image, verified.Header);
        return (verified.Header, image);
    }

    private async Task<byte[]> FreshCompileAsync(string sample, string deviceClass)
    {
        var module = await File.ReadAllBytesAsync(ContainerProject.Load(Sample(sample)).ModulePath);
        return (await AotCompilerRegistry.CompileAsync(module, DeviceClassTable.Get(deviceClass), CancellationToken.None)).Bytes.ToArray();
    }

    [Fact]
    public async Task Full_bundle_carries_a_container_image_with_config_grants_code_and_model_blob()
    {
        var built = await CutAsync("ad-1.0.0", null, DeviceClassTable.LinuxX86_64, null, "ad.bundle");

        Assert.False(built.IsDelta);
        var (header, bytes) = await InstallAsync(Path.Combine(_dir, "ad.bundle"), "linux-x86_64", null);
        Assert.Equal(ImageFormat.ContainerImageV1, header.ImageFormat);
        Assert.Equal(ArtifactKind.WasmtimeNative, header.ArtifactKind);
        Assert.Equal("anomaly-detector", header.ContainerName);
        Assert.Equal(SecurityCounter.DefaultFor(SemanticVersion.Parse("1.0.0")), header.SecurityCounter);
        Assert.Equal(built.TargetImage.ToArray(), bytes);

        var image = ContainerImageReader.Read(bytes);
        var project = ContainerProject.Load(Sample("anomaly-detector"));
        Assert.Equal(project.Config, image.Config);
        Assert.Equal(project.Config.Permissions, image.Grants);
        Assert.Equal(project.Config.Permissions, built.Grants);
        Assert.Equal(ArtifactKind.WasmtimeNative, image.Code.Kind);
        Assert.Equal("linux-x86_64", image.Code.DeviceClass);
        Assert.Equal(header.TargetTriple, image.Code.TargetTriple);
        Assert.Equal(await FreshCompileAsync("anomaly-detector", "linux-x86_64"), image.SliceCode(bytes).ToArray());
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Sample("anomaly-detector"), "model.bin")), image.SliceBlob(bytes, "model").ToArray());
    }

    [Theory]
    [InlineData("linux-x86_64", ArtifactKind.WasmtimeNative)]
    [InlineData("portable-pulley64", ArtifactKind.WasmtimePulley)]
    public async Task Delta_between_two_versions_rebuilds_the_new_container_image(string deviceClass, ArtifactKind kind)
    {
        var cls = DeviceClassTable.Get(deviceClass);
        var built = await CutAsync("sf-1.1.0", "sf-1.0.0", cls, null, "delta.bundle");

        // The device holds the 1.0.0 image it was given before: a full bundle of that version.
        await CutAsync("sf-1.0.0", null, cls, null, "base.bundle");
        var (_, installed) = await InstallAsync(Path.Combine(_dir, "base.bundle"), deviceClass, null);

        Assert.True(built.IsDelta, $"expected a delta, got {built.Header.PayloadKind}");
        Assert.Equal(Digest.Compute(installed), built.Header.BaseDigest);
        var (header, bytes) = await InstallAsync(Path.Combine(_dir, "delta.bundle"), deviceClass, installed);
        Assert.True(header.PayloadLength < (ulong)bytes.Length / 2, $"delta payload {header.PayloadLength} bytes for a {bytes.Length}-byte image");
        Assert.Equal(ImageFormat.ContainerImageV1, header.ImageFormat);
        Assert.Equal(kind, header.ArtifactKind);

        var image = ContainerImageReader.Read(bytes);
        Assert.Equal("1.1.0", image.Config.Version!.ToString());
        Assert.Equal(kind, image.Code.Kind);
        Assert.Equal(await FreshCompileAsync("sensor-filter-v1.1.0", deviceClass), image.SliceCode(bytes).ToArray());
        Assert.Equal(image.Config.Permissions, image.Grants);
    }

    [Fact]
    public async Task Reduced_grants_are_carried_in_permission_order_and_a_delta_base_can_be_rebuilt_with_them()
    {
        var cls = DeviceClassTable.PortablePulley64;
        var grants = new[] { Capability.Parse("sensor:temp0"), Capability.Log };
        var full = await CutAsync("sf-1.0.0", null, cls, grants, "reduced.bundle");
        var (_, installed) = await InstallAsync(Path.Combine(_dir, "reduced.bundle"), cls.Name, null);
        Assert.Equal(["log", "sensor:temp0"], ContainerImageReader.Read(installed).Grants.Select(g => g.ToString()));
        Assert.Equal(["log", "sensor:temp0"], full.Grants.Select(g => g.ToString()));

        var delta = await CutAsync("sf-1.1.0", "sf-1.0.0", cls, grants, "reduced-delta.bundle", Options with { BaseGrants = grants });
        Assert.True(delta.IsDelta);
        Assert.Equal(Digest.Compute(installed), delta.Header.BaseDigest);
        var (_, updated) = await InstallAsync(Path.Combine(_dir, "reduced-delta.bundle"), cls.Name, installed);
        var image = ContainerImageReader.Read(updated);
        Assert.Equal(["log", "sensor:temp0"], image.Grants.Select(g => g.ToString()));
        Assert.False(image.IsGranted(Capability.Parse("publish:telemetry/temp")));
    }

    [Fact]
    public async Task A_grant_the_container_does_not_ask_for_is_refused_before_anything_is_written()
    {
        var path = Path.Combine(_dir, "refused.bundle");
        var error = await Assert.ThrowsAsync<GrantNotRequestedException>(() => CutAsync("sf-1.0.0", null,
            DeviceClassTable.LinuxX86_64, [Capability.Log, Capability.Parse("gpio:4")], "refused.bundle"));
        Assert.Equal([Capability.Parse("gpio:4")], error.NotRequested);
        Assert.Contains("cannot grant 'gpio:4': sensor-filter 1.0.0 asks only for [log, sensor:temp0, publish:telemetry/temp]", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    [Trait("Requires", "clang")]
    public async Task Mcu_class_keeps_the_raw_wasm2c_object()
    {
        var built = await CutAsync("ad-1.0.0", null, DeviceClassTable.McuCortexM33, null, "mcu.bundle");
        var (header, bytes) = await InstallAsync(Path.Combine(_dir, "mcu.bundle"), "mcu-cortex-m33", null);
        Assert.Equal(ImageFormat.RawArtifact, header.ImageFormat);
        Assert.Equal(ArtifactKind.Wasm2cObject, header.ArtifactKind);
        Assert.Equal(4096u, header.ChunkSize);
        Assert.Empty(built.Grants);
        Assert.Equal(await FreshCompileAsync("anomaly-detector", "mcu-cortex-m33"), bytes);
    }

    [Fact]
    public async Task Mcu_class_refuses_reduced_grants_it_cannot_carry()
    {
        var error = await Assert.ThrowsAsync<GrantsNotCarriedException>(() => CutAsync("ad-1.0.0", null,
            DeviceClassTable.McuCortexM33, [Capability.Log], "mcu-reduced.bundle"));
        Assert.Contains("cannot grant less than anomaly-detector 1.0.0 asks for on mcu-cortex-m33", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task A_class_the_container_does_not_target_is_refused() =>
        Assert.Contains("not 'portable-pulley64'", (await Assert.ThrowsAsync<AotTargetNotSupportedException>(() =>
            CutAsync("ad-1.0.0", null, DeviceClassTable.PortablePulley64, null, "x.bundle"))).Message,
            StringComparison.Ordinal);

    [Fact]
    public void Default_security_counter_orders_versions()
    {
        Assert.Equal((1UL << 24) + (2UL << 16) + (3UL << 6) + 63, SecurityCounter.DefaultFor(SemanticVersion.Parse("1.2.3"))); // layout: docs/bundle-format.md
        Assert.True(SecurityCounter.DefaultFor(SemanticVersion.Parse("1.10.0")) > SecurityCounter.DefaultFor(SemanticVersion.Parse("1.9.9")));
    }
}
