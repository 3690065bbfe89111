using AtymSecure.Container.Artifact;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Oci.Content;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Delivery.Bundles;

/// <summary>A container version and where to read it (registry repository, OCI layout or memory store).</summary>
public sealed record ContainerSource(IReadOnlyTarget Repository, string Reference);

/// <summary>How <see cref="ContainerBundleCutter.CutAsync"/> writes the bundle.</summary>
public sealed record ContainerBundleOptions
{
    /// <summary>Bundle file to write (atomically: temp file + rename).</summary>
    public required string OutputPath { get; init; }

    public required DateTimeOffset Expires { get; init; }

    /// <summary>Creation time recorded in the header; null means now.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Anti-rollback counter; null derives it from the SemVer (<see cref="Formats.Bundle.SecurityCounter.DefaultFor"/>).</summary>
    public ulong? SecurityCounter { get; init; }

    /// <summary>Payload chunk size; null means 4 KiB for MCUs, 64 KiB for Linux-class devices.</summary>
    public uint? ChunkSize { get; init; }

    /// <summary>
    /// The grants the device's current (base) version was deployed with; null means that version's permissions.
    /// A wrong guess cannot install anything wrong: the device refuses a delta whose base digest differs (BaseMismatch).
    /// </summary>
    public IReadOnlyCollection<Capability>? BaseGrants { get; init; }
}

/// <summary>
/// The one library call behind <c>atym bundle</c> (and the OTA server's cut step): read the container, compile
/// it for the device class, wrap code + config + grants + blobs into a container image (raw object for wasm2c
/// MCU classes), and write a signed full bundle — or, given the version the device runs, a delta between the
/// two slot images.
/// </summary>
public static class ContainerBundleCutter
{
    /// <param name="target">The version to install.</param>
    /// <param name="baseVersion">The version the device runs (cuts a delta), or null for a full bundle.</param>
    /// <param name="deviceClass">The device class to compile for.</param>
    /// <param name="grants">What the deployment grants; null grants exactly the config's permissions.</param>
    /// <param name="keys">Signing keys (at least one).</param>
    /// <param name="options">Output path, expiry, counter, chunk size.</param>
    /// <param name="ct">Cancellation (kills child compiler tools).</param>
    public static async Task<BuiltBundle> CutAsync(ContainerSource target, ContainerSource? baseVersion, DeviceClass deviceClass,
        IReadOnlyCollection<Capability>? grants, IReadOnlyList<ISigningKey> keys, ContainerBundleOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(deviceClass);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        if (keys.Count == 0) throw new ArgumentException("a bundle needs at least one signing key", nameof(keys));

        var (manifest, container) = await ReadAsync(target, ct).ConfigureAwait(false);
        var version = container.Config.Version ?? throw new ArgumentException($"container {target.Reference} has no version");
        var image = await ContainerSlotImage.BuildAsync(container, deviceClass, grants, ct).ConfigureAwait(false);
        ReadOnlyMemory<byte>? baseImage = null;
        if (baseVersion is not null)
        {
            var (_, old) = await ReadAsync(baseVersion, ct).ConfigureAwait(false);
            baseImage = (await ContainerSlotImage.BuildAsync(old, deviceClass, options.BaseGrants, ct).ConfigureAwait(false)).Bytes;
        }

        var bundleTarget = new BundleTarget
        {
            ContainerName = container.Config.Name,
            ContainerVersion = version.ToString(),
            SecurityCounter = options.SecurityCounter ?? Formats.Bundle.SecurityCounter.DefaultFor(version),
            DeviceClass = deviceClass.Name,
            TargetTriple = image.TargetTriple,
            ArtifactKind = image.ArtifactKind,
            ImageFormat = image.ImageFormat,
            TargetImage = image.Bytes,
            Expires = options.Expires,
            Created = options.Created ?? DateTimeOffset.UtcNow,
            SourceManifestDigest = manifest.ToString(),
            ChunkSize = options.ChunkSize ?? (deviceClass.IsMicrocontroller ? 4096u : 65536u),
        };
        var built = await BundleBuilder.WriteFileAsync(options.OutputPath, bundleTarget, baseImage, keys, ct).ConfigureAwait(false);
        return built with { Grants = image.Grants, TargetImage = image.Bytes };
    }

    private static async Task<(Oci.Wire.Digest Manifest, ContainerArtifact Container)> ReadAsync(ContainerSource source, CancellationToken ct)
    {
        var descriptor = await source.Repository.ResolveAsync(source.Reference, ct).ConfigureAwait(false);
        var container = await ContainerArtifactReader.ReadAsync(source.Repository, descriptor, ct).ConfigureAwait(false);
        return (descriptor.Digest, container);
    }
}
