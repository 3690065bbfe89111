using AtymSecure.Delivery.Bundles;
using AtymSecure.Delivery.Tests.Support;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Signer.Verification;

namespace AtymSecure.Delivery.Tests.Bundles;

/// <summary>
/// Cutting verifies the container's signatures against trusted keys first. Before, <c>atym bundle --key</c> signed
/// whatever the registry returned: an unsigned container, or one signed by anyone, was cut and signed.
/// </summary>
public sealed class ContainerSignatureCheckTests : IAsyncLifetime
{
    private readonly SignedSampleStore _samples = new();
    private readonly CountingCompiler _compiler = new();

    public Task InitializeAsync() => _samples.BuildAsync();

    public Task DisposeAsync()
    {
        _samples.Dispose();
        return Task.CompletedTask;
    }

    private Task<CutBundle> CutAsync(string tag, string? baseTag = null) =>
        new ContainerBundleCutter(_compiler, _samples.TrustedKeys).CutAsync(_samples.Source(tag), baseTag is null ? null : _samples.Source(baseTag),
            DeviceClassTable.PortablePulley64, null, [_samples.Trusted], new ContainerBundleOptions { Expires = SignedSampleStore.Now.AddDays(7), Created = SignedSampleStore.Now });

    [Fact]
    public async Task An_unsigned_container_is_refused_before_anything_is_compiled()
    {
        var e = await Assert.ThrowsAsync<UntrustedContainerException>(() => CutAsync("sf-1.0.0"));
        Assert.Equal(VerificationFailure.NoSignatureFound, e.Failure);
        Assert.StartsWith("refusing to cut a bundle of sf-1.0.0: the container is not signed", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _compiler.Count);
    }

    [Fact]
    public async Task A_container_signed_only_by_an_untrusted_key_is_refused()
    {
        await _samples.SignAsync("sf-1.0.0", _samples.Stranger);
        var e = await Assert.ThrowsAsync<UntrustedContainerException>(() => CutAsync("sf-1.0.0"));
        Assert.Equal(VerificationFailure.UntrustedKey, e.Failure);
        Assert.Contains("signed only by keys that are not trusted (--trust)", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _compiler.Count);
    }

    [Fact]
    public async Task A_container_signed_by_a_trusted_key_is_cut()
    {
        await _samples.SignAsync("sf-1.0.0", _samples.Stranger);
        await _samples.SignAsync("sf-1.0.0", _samples.Trusted);
        var cut = await CutAsync("sf-1.0.0");
        Assert.Equal("sensor-filter", cut.Header.ContainerName);
        Assert.Equal(1, _compiler.Count);
    }

    [Fact]
    public async Task The_version_the_device_runs_must_be_signed_too()
    {
        await _samples.SignAsync("sf-1.1.0", _samples.Trusted);
        var e = await Assert.ThrowsAsync<UntrustedContainerException>(() => CutAsync("sf-1.1.0", baseTag: "sf-1.0.0"));
        Assert.StartsWith("refusing to cut a bundle of sf-1.0.0: the container is not signed", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _compiler.Count);
    }

    [Fact]
    public async Task The_header_names_the_verified_manifest()
    {
        await _samples.SignAsync("sf-1.0.0", _samples.Trusted);
        var cut = await CutAsync("sf-1.0.0");
        Assert.Equal((await _samples.Store.ResolveAsync("sf-1.0.0")).Digest.ToString(), cut.Header.SourceManifestDigest);
    }
}
