using AtymSecure.Container.Project;
using AtymSecure.Delivery.Bundles;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Delivery.Tests.Support;
using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Delivery.Tests.Compilation;

/// <summary>
/// <c>atym bundle</c> reuses the output <c>atym compile</c> attached, found by the compilation key — only after
/// verifying it. The counting compiler shows what reached the real compiler: 0 on a verified hit, 1 when the
/// attached output is unsigned, signed by an untrusted key or compiled from other Wasm (it is ignored).
/// </summary>
public sealed class CompiledReferrerReuseTests : IAsyncLifetime
{
    private static readonly DeviceClass Pulley = DeviceClassTable.PortablePulley64;
    private readonly SignedSampleStore _samples = new();
    private readonly CountingCompiler _compiler = new();
    private readonly List<string> _observed = [];

    public Task InitializeAsync() => _samples.BuildSignedAsync();

    public Task DisposeAsync()
    {
        _samples.Dispose();
        return Task.CompletedTask;
    }

    private async Task<CutBundle> CutAsync(string tag, string? baseTag = null)
    {
        var reuse = new CompiledReferrerReuse(_compiler, _samples.TrustedKeys) { Observer = _observed.Add };
        return await new ContainerBundleCutter(reuse, _samples.TrustedKeys).CutAsync(_samples.Source(tag), baseTag is null ? null : _samples.Source(baseTag),
            Pulley, null, [_samples.Trusted], new ContainerBundleOptions { Expires = SignedSampleStore.Now.AddDays(7), Created = SignedSampleStore.Now });
    }

    /// <summary>What <c>atym compile REF --device-class portable-pulley64 [--key K]</c> attaches.</summary>
    private Task CompileAndPublishAsync(string tag, Signer.Keys.ISigningKey? key) =>
        ContainerAotCompilation.CompileAndPublishAsync(_samples.Store, tag, Pulley.Name, key, "samples/sensor-filter");

    private static async Task<byte[]> BytesOf(CutBundle cut) => await cut.Bundle.ToArrayAsync();

    [Fact]
    public async Task A_verified_attached_output_is_reused_without_compiling_and_gives_the_same_bundle()
    {
        var fresh = await CutAsync("sf-1.1.0", baseTag: "sf-1.0.0");
        Assert.Equal(2, _compiler.Count);

        await CompileAndPublishAsync("sf-1.0.0", _samples.Trusted);
        await CompileAndPublishAsync("sf-1.1.0", _samples.Trusted);
        var reused = await CutAsync("sf-1.1.0", baseTag: "sf-1.0.0");

        Assert.Equal(2, _compiler.Count); // target and base both came from their referrers
        Assert.Equal(2, _observed.Count(o => o.StartsWith("reused compiled output sha256:", StringComparison.Ordinal)));
        Assert.Equal(await BytesOf(fresh), await BytesOf(reused));
    }

    [Fact]
    public async Task An_unsigned_attached_output_is_ignored_and_compiled_afresh()
    {
        await CompileAndPublishAsync("sf-1.0.0", key: null);
        await CutAsync("sf-1.0.0");
        Assert.Equal(1, _compiler.Count);
        Assert.Contains(_observed, o => o.StartsWith("ignored compiled-output referrer", StringComparison.Ordinal) && o.Contains("no Sigstore bundle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_output_signed_by_an_untrusted_key_is_ignored_and_compiled_afresh()
    {
        await CompileAndPublishAsync("sf-1.0.0", _samples.Stranger);
        await CutAsync("sf-1.0.0");
        Assert.Equal(1, _compiler.Count);
        Assert.Contains(_observed, o => o.StartsWith("ignored compiled-output referrer", StringComparison.Ordinal) && o.Contains("trusted key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_planted_output_of_other_wasm_signed_by_a_trusted_key_is_ignored_and_never_installed()
    {
        // Trusted signature and provenance, matching class and key, but compiled from another module.
        var other = await File.ReadAllBytesAsync(ContainerProject.Load(SignedSampleStore.Sample("anomaly-detector")).ModulePath);
        var planted = await AotCompilerRegistry.CompileAsync(other, Pulley, CancellationToken.None);
        var container = await _samples.Store.ResolveAsync("sf-1.0.0");
        await CompiledArtifactPublisher.PublishAsync(_samples.Store, container, planted, _samples.Trusted, "samples/sensor-filter");
        Assert.NotEmpty(await CompiledArtifactPublisher.FindAsync(_samples.Store, container, Pulley.Name, CompilationKey.ForDeviceClass(Pulley)));

        var cut = await CutAsync("sf-1.0.0");

        Assert.Equal(1, _compiler.Count);
        Assert.Contains(_observed, o => o.Contains("was compiled from Wasm", StringComparison.Ordinal) && o.Contains("not this container's module", StringComparison.Ordinal));
        Assert.False(cut.TargetImage.Span.IndexOf(planted.Bytes.Span[..256]) >= 0, "the planted code reached the bundle");
    }

    [Fact]
    public async Task Outputs_for_another_class_are_not_candidates()
    {
        await ContainerAotCompilation.CompileAndPublishAsync(_samples.Store, "sf-1.0.0", DeviceClassTable.LinuxX86_64.Name, _samples.Trusted, "samples/sensor-filter");
        await CutAsync("sf-1.0.0");
        Assert.Equal(1, _compiler.Count);
        Assert.Empty(_observed);
    }

    [Fact]
    public async Task A_signature_without_provenance_is_not_enough()
    {
        // Sign the output manifest by hand (no provenance attestation).
        var container = await _samples.Store.ResolveAsync("sf-1.0.0");
        var artifact = await AotCompilerRegistry.CompileAsync(
            await File.ReadAllBytesAsync(ContainerProject.Load(SignedSampleStore.Sample("sensor-filter")).ModulePath), Pulley, CancellationToken.None);
        var published = await CompiledArtifactPublisher.PublishAsync(_samples.Store, container, artifact, key: null, "samples/sensor-filter");
        await Signer.Attach.ArtifactSigner.SignAsync(_samples.Store, published.Manifest, _samples.Trusted, "samples/sensor-filter");

        await CutAsync("sf-1.0.0");
        Assert.Equal(1, _compiler.Count);
        Assert.Contains(_observed, o => o.Contains("no SLSA provenance", StringComparison.Ordinal));
    }
}
