using AtymSecure.Container.Artifact;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Delivery.Delta;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Verification;

namespace AtymSecure.Delivery.Bundles;

/// <summary>How <see cref="ContainerBundleCutter.CutAsync"/> cuts the bundle.</summary>
public sealed record ContainerBundleOptions
{
    public required DateTimeOffset Expires { get; init; }

    /// <summary>Creation time recorded in the header; null means now.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Security counter; null derives it from the SemVer (<see cref="Formats.Bundle.SecurityCounter.DefaultFor"/>).</summary>
    public ulong? SecurityCounter { get; init; }

    /// <summary>Payload chunk size; null means 4 KiB for MCUs, 64 KiB for Linux-class devices.</summary>
    public uint? ChunkSize { get; init; }

    /// <summary>
    /// The grants the device's current (base) version was deployed with; null means that version's permissions.
    /// A wrong guess cannot install anything wrong: the device refuses a delta whose base digest differs (BaseMismatch).
    /// </summary>
    public IReadOnlyCollection<Capability>? BaseGrants { get; init; }

    /// <summary>
    /// Cut a recovery bundle (bundle format 2, docs/trust-model.md §4): the one install a device in recovery accepts, and
    /// only when a recovery key signed it (a native one also needs the compiler key's signature).
    /// </summary>
    public bool Recovery { get; init; }
}

/// <summary>What was cut: the signed bundle (not yet written anywhere) and what it holds, for the CLI and the OTA server.</summary>
/// <param name="Bundle">Header, signatures and payload; write it to a stream, a file or a store.</param>
/// <param name="Choice">The delta candidates tried (null for a full bundle cut without a base).</param>
/// <param name="Grants">What the target image grants (empty for a raw wasm2c object).</param>
/// <param name="TargetImage">The image the device ends up with.</param>
public sealed record CutBundle(SignedBundle Bundle, DeltaChoice? Choice, IReadOnlyList<Capability> Grants, ReadOnlyMemory<byte> TargetImage)
{
    public BundleHeader Header => Bundle.Header;

    public bool IsDelta => Header.PayloadKind == PayloadKind.Delta;
}

/// <summary>
/// The one path from a container version to a signed bundle for one device class, behind <c>atym bundle</c> and the
/// OTA server's cut step:
/// <list type="number">
/// <item>verify the container's signatures against the trusted keys (<see cref="ContainerSignatureCheck"/>; unsigned
/// or untrusted containers are refused before anything is compiled);</item>
/// <item>read it by the verified digest and build its slot image: code from the injected <see cref="IContainerCompiler"/>,
/// wrapped with config, grants and blobs (<see cref="ContainerSlotImage"/>);</item>
/// <item>the same for the version the device runs, when given;</item>
/// <item>choose the payload: full, or the smallest delta the class decodes, proven by decoding (<see cref="BundlePayload.Choose"/>);</item>
/// <item>make the header (<see cref="BundleHeaderFactory"/>) and sign it (<see cref="SignedBundle"/>).</item>
/// </list>
/// Nothing is written: the caller sends the <see cref="SignedBundle"/> where it goes.
/// </summary>
public sealed class ContainerBundleCutter
{
    private readonly IContainerCompiler _compiler;
    private readonly ContainerSignatureCheck _signatures;

    /// <param name="compiler">Where code comes from (<see cref="HostAotCompiler"/>, or <see cref="CompiledReferrerReuse"/> in front of it).</param>
    /// <param name="trustedSigners">Keys whose signature on a container version allows cutting bundles of it.</param>
    public ContainerBundleCutter(IContainerCompiler compiler, TrustedKeys trustedSigners)
    {
        _compiler = compiler ?? throw new ArgumentNullException(nameof(compiler));
        _signatures = new ContainerSignatureCheck(trustedSigners);
    }

    /// <param name="target">The version to install.</param>
    /// <param name="baseVersion">The version the device runs (cuts a delta), or null for a full bundle.</param>
    /// <param name="deviceClass">The device class to compile for.</param>
    /// <param name="grants">What the deployment grants; null grants exactly the config's permissions.</param>
    /// <param name="keys">Signing keys (at least one).</param>
    /// <param name="options">Expiry, counter, chunk size, base grants.</param>
    /// <param name="ct">Cancellation (kills child compiler tools).</param>
    /// <exception cref="UntrustedContainerException">The target or the base is not signed by a trusted key.</exception>
    public async Task<CutBundle> CutAsync(ContainerSource target, ContainerSource? baseVersion, DeviceClass deviceClass,
        IReadOnlyCollection<Capability>? grants, IReadOnlyList<ISigningKey> keys, ContainerBundleOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(deviceClass);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        if (keys.Count == 0) throw new ArgumentException("a bundle needs at least one signing key", nameof(keys));

        var container = await ReadVerifiedAsync(target, ct).ConfigureAwait(false);
        // The base is verified too: nothing untrusted reaches the compiler.
        var old = baseVersion is null ? null : await ReadVerifiedAsync(baseVersion, ct).ConfigureAwait(false);
        var image = await ContainerSlotImage.BuildAsync(container, deviceClass, grants, _compiler, ct).ConfigureAwait(false);
        ReadOnlyMemory<byte>? baseImage = null; // not a conditional: null would convert to an empty ReadOnlyMemory
        if (old is not null) baseImage = (await ContainerSlotImage.BuildAsync(old, deviceClass, options.BaseGrants, _compiler, ct).ConfigureAwait(false)).Bytes;

        var payload = BundlePayload.Choose(image.Bytes, baseImage, deviceClass, out var choice);
        var header = BundleHeaderFactory.Create(container.Artifact.Config, deviceClass, image, payload, options,
            container.Artifact.ManifestDescriptor.Digest.ToString());
        var bundle = await SignedBundle.SignAsync(header, payload.Bytes, keys, ct).ConfigureAwait(false);
        return new CutBundle(bundle, choice, image.Grants, image.Bytes);
    }

    private async Task<StoredContainer> ReadVerifiedAsync(ContainerSource source, CancellationToken ct)
    {
        var manifest = await _signatures.VerifyAsync(source, ct).ConfigureAwait(false);
        var container = await ContainerArtifactReader.ReadAsync(source.Store, manifest, ct).ConfigureAwait(false);
        return new StoredContainer(source.Store, container);
    }
}
