using System.Text.Json.Serialization;
using AtymSecure.Oci;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Attach;

/// <summary>
/// The legacy cosign signature layout: tag <c>sha256-&lt;hex&gt;.sig</c> holding an image manifest
/// whose layers are simple-signing payloads, each with its base64 signature in the
/// <c>dev.cosignproject.cosign/signature</c> annotation. A new signature is appended to the
/// layers already there, as cosign does.
/// Spec: https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
/// </summary>
public static class LegacyCosignSignature
{
    /// <summary><c>sha256:abc…</c> → <c>sha256-abc….sig</c>.</summary>
    public static string TagFor(Digest manifest) => $"{manifest.Algorithm}-{manifest.Encoded}.sig";

    public static async Task<Descriptor> WriteAsync(ITarget repository, Descriptor subject, ISigningKey key, string dockerReference,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(key);
        var payload = SignerJson.Serialize(SimpleSigningPayload.For(dockerReference, subject.Digest.ToString()));
        var signature = await key.SignAsync(payload, cancellationToken).ConfigureAwait(false);
        var layer = Descriptor.FromBytes(SimpleSigningPayload.MediaType, payload,
            new Dictionary<string, string> { [SimpleSigningPayload.SignatureAnnotation] = Convert.ToBase64String(signature) });
        await repository.PushIfMissingAsync(layer, () => new MemoryStream(payload, writable: false), cancellationToken).ConfigureAwait(false);

        var tag = TagFor(subject.Digest);
        var layers = new List<Descriptor>(await ExistingLayersAsync(repository, tag, cancellationToken).ConfigureAwait(false));
        if (!layers.Any(l => l.Digest == layer.Digest && l.Annotations?.GetValueOrDefault(SimpleSigningPayload.SignatureAnnotation) ==
                layer.Annotations![SimpleSigningPayload.SignatureAnnotation]))
            layers.Add(layer);

        // cosign's config: a minimal OCI image config whose diff_ids are the layer digests.
        var configBytes = SignerJson.Serialize(new CosignConfig
        {
            RootFs = new CosignRootFs { DiffIds = [.. layers.Select(l => l.Digest.ToString())] },
        });
        var config = Descriptor.FromBytes(MediaTypes.ImageConfig, configBytes);
        await repository.PushIfMissingAsync(config, () => new MemoryStream(configBytes, writable: false), cancellationToken).ConfigureAwait(false);

        var manifestBytes = OciJson.Serialize(new ImageManifest { Config = config, Layers = layers });
        var manifest = Descriptor.FromBytes(MediaTypes.ImageManifest, manifestBytes);
        await repository.PushIfMissingAsync(manifest, () => new MemoryStream(manifestBytes, writable: false), cancellationToken).ConfigureAwait(false);
        await repository.TagAsync(manifest, tag, cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>The <c>.sig</c> manifest for <paramref name="subject"/>, or null when there is none.</summary>
    public static async Task<(Descriptor Descriptor, ImageManifest Manifest)?> ReadAsync(IReadOnlyTarget repository, Digest subject,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        Descriptor descriptor;
        try
        {
            descriptor = await repository.ResolveAsync(TagFor(subject), cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return null;
        }
        var bytes = await repository.FetchAllAsync(descriptor, OciJson.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        return (descriptor, OciJson.Deserialize<ImageManifest>(bytes));
    }

    private static async Task<IReadOnlyList<Descriptor>> ExistingLayersAsync(IReadOnlyTarget repository, string tag, CancellationToken ct)
    {
        Descriptor existing;
        try
        {
            existing = await repository.ResolveAsync(tag, ct).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return [];
        }
        var bytes = await repository.FetchAllAsync(existing, OciJson.MaxManifestBytes, ct).ConfigureAwait(false);
        return OciJson.Deserialize<ImageManifest>(bytes).Layers.Where(l => l.MediaType == SimpleSigningPayload.MediaType).ToList();
    }

    private sealed record CosignConfig
    {
        [JsonPropertyName("architecture")] public string Architecture { get; init; } = "";
        [JsonPropertyName("os")] public string Os { get; init; } = "";
        [JsonPropertyName("config")] public Dictionary<string, string> Config { get; init; } = [];
        [JsonPropertyName("rootfs")] public CosignRootFs? RootFs { get; init; }
    }

    private sealed record CosignRootFs
    {
        [JsonPropertyName("type")] public string Type { get; init; } = "layers";
        [JsonPropertyName("diff_ids")] public IReadOnlyList<string> DiffIds { get; init; } = [];
    }
}
