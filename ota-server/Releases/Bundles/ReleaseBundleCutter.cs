using AtymSecure.Delivery.Bundles;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.Signer.Verification;

namespace AtymSecure.OtaReleases.Bundles;

/// <summary>
/// Cuts a release's bundle with the one delivery path (<see cref="ContainerBundleCutter"/>, as <c>atym bundle</c>):
/// the container is verified against the vendor keys again, its code is the output the import attached and the
/// compiler key signed (<see cref="CompiledReferrerReuse"/>), and the bundle is signed by the compiler key. Every
/// header field comes from the release — created = import time, expiry = the release's bundle expiry, the release's
/// counter — never from the clock, so any replica cuts the same bytes (every compiler key signs deterministically:
/// Ed25519, or ECDSA with RFC 6979 nonces).
/// </summary>
public sealed class ReleaseBundleCutter : IBundleCutter
{
    private readonly RegistryAccess _registry;
    private readonly TrustedKeys _vendorKeys;
    private readonly ICompilerKeySource _compilerKey;
    private readonly IContainerCompiler _compiler;

    public ReleaseBundleCutter(RegistryAccess registry, TrustedKeys vendorKeys, ICompilerKeySource compilerKey, IContainerCompiler? compiler = null)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _vendorKeys = vendorKeys ?? throw new ArgumentNullException(nameof(vendorKeys));
        _compilerKey = compilerKey ?? throw new ArgumentNullException(nameof(compilerKey));
        _compiler = compiler ?? HostAotCompiler.Instance;
    }

    public async Task<SignedBundle> CutAsync(BundleCutRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = await _compilerKey.GetAsync(request.Key.DeviceClass, ct).ConfigureAwait(false);
        var reuse = new CompiledReferrerReuse(_compiler, TrustedKeys.Of(VerificationKey.FromDer(key.PublicKeySpki.Span)));
        var deviceClass = DeviceClassTable.Get(request.Key.DeviceClass);
        var target = request.Target;
        var baseGrants = request.Base?.ImageFor(deviceClass.Name)?.Grants.Select(Capability.Parse).ToList();
        var cut = await new ContainerBundleCutter(reuse, _vendorKeys).CutAsync(
            Source(target.Repository, target.ManifestDigest),
            request.Base is { } b ? Source(b.Repository, b.ManifestDigest) : null,
            deviceClass,
            [.. request.Key.Grants.Select(Capability.Parse)],
            [key],
            new ContainerBundleOptions
            {
                Created = target.ImportedAt,
                Expires = target.BundleExpires,
                SecurityCounter = target.SecurityCounter,
                BaseGrants = baseGrants,
            }, ct).ConfigureAwait(false);
        return cut.Bundle;
    }

    private ContainerSource Source(string repository, string manifestDigest) =>
        ContainerSource.In(_registry.OpenRepository(repository), manifestDigest, repository);
}
