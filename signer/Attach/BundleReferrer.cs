using AtymSecure.Oci.Content;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Wire;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Attach;

/// <summary>
/// Stores a Sigstore bundle as an OCI referrer the way cosign v3 does (BUNDLE_SPEC): bundle JSON as
/// a blob, an image manifest with artifactType = bundle media type, the empty config, one layer,
/// <c>subject</c> = the signed manifest, and the <c>dev.sigstore.bundle.*</c> annotations.
/// Spec: https://github.com/sigstore/cosign/blob/main/specs/BUNDLE_SPEC.md#storage-in-oci-registries
/// The OCI client keeps the referrers fallback tag when the registry has no referrers API.
/// </summary>
public static class BundleReferrer
{
    public static async Task<AttachedBundle> PushAsync(ITarget repository, Descriptor subject, SigstoreBundle bundle, DateTimeOffset created,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(bundle);
        var problems = bundle.Validate();
        if (problems.Count > 0) throw new MalformedDocumentException("Sigstore bundle", problems);

        var json = bundle.ToJson();
        var blob = Descriptor.FromBytes(BundleMediaTypes.V03, json);
        await repository.PushIfMissingAsync(blob, () => new MemoryStream(json, writable: false), cancellationToken).ConfigureAwait(false);

        var annotations = new Dictionary<string, string>
        {
            [BundleMediaTypes.ContentAnnotation] = bundle.DsseEnvelope is null ? BundleMediaTypes.ContentMessageSignature : BundleMediaTypes.ContentDsseEnvelope,
        };
        if (bundle.DsseEnvelope is { } envelope && envelope.PayloadType == InTotoStatement.PayloadType)
            annotations[BundleMediaTypes.PredicateTypeAnnotation] = InTotoStatement.Parse(envelope.Payload).PredicateType!;
        var referrer = await Packer.PackManifestAsync(repository, BundleMediaTypes.V03, new PackOptions
        {
            Layers = [blob],
            Subject = subject,
            Annotations = annotations,
            Created = created,
        }, cancellationToken).ConfigureAwait(false);
        return new AttachedBundle(subject, referrer, blob, bundle, json);
    }
}
