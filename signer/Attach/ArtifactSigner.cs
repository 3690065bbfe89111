using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Verification;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Attach;

/// <summary>
/// Signs and attests OCI manifests and attaches the results as referrers. Entry point for
/// <c>atym sign</c> and <c>atym attest</c>; works on any <see cref="ITarget"/> (remote repository,
/// OCI layout, memory).
/// </summary>
public static class ArtifactSigner
{
    /// <summary>
    /// Signs <paramref name="manifest"/>: by default a v0.3 bundle with a DSSE envelope over an
    /// in-toto statement (predicate <c>https://sigstore.dev/cosign/sign/v1</c>, subject = manifest digest);
    /// with <see cref="SignOptions.Content"/> = MessageSignature, a signature over the manifest bytes.
    /// </summary>
    public static async Task<AttachedBundle> SignAsync(ITarget repository, Descriptor manifest, ISigningKey key, string repositoryName,
        SignOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        options ??= new SignOptions();
        if (!MediaTypes.IsManifest(manifest.MediaType))
            throw new ArgumentException($"only manifests can be signed, not '{manifest.MediaType}'", nameof(manifest));

        SigstoreBundle bundle;
        switch (options.Content)
        {
            case BundleContent.DsseEnvelope:
                var statement = Statements.ForSignature(manifest.Digest, options.SubjectName ?? repositoryName);
                bundle = await BundleFactory.CreateDsseAsync(key, statement, cancellationToken).ConfigureAwait(false);
                break;
            case BundleContent.MessageSignature:
                // The artifact of a message signature is the manifest itself (verified against its digest on fetch).
                var bytes = await repository.FetchAllAsync(manifest, OciJson.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
                bundle = await BundleFactory.CreateMessageSignatureAsync(key, bytes, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentException($"content '{options.Content}' cannot be produced by SignAsync", nameof(options));
        }
        var attached = await BundleReferrer.PushAsync(repository, manifest, bundle, options.Created ?? DateTimeOffset.UtcNow, cancellationToken)
            .ConfigureAwait(false);
        if (!options.LegacyCosign) return attached;
        var legacy = await LegacyCosignSignature.WriteAsync(repository, manifest, key, options.DockerReference ?? repositoryName, cancellationToken)
            .ConfigureAwait(false);
        return attached with { LegacySignature = legacy };
    }

    /// <summary>Signs any in-toto statement about <paramref name="manifest"/> (its subject must name the manifest digest) and attaches it.</summary>
    public static async Task<AttachedBundle> AttestAsync(ITarget repository, Descriptor manifest, ISigningKey key, InTotoStatement statement,
        DateTimeOffset? created = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(statement);
        if (!statement.HasSubjectDigest(manifest.Digest.Algorithm, manifest.Digest.Encoded))
            throw new ArgumentException($"the statement's subject does not name {manifest.Digest}", nameof(statement));
        var bundle = await BundleFactory.CreateDsseAsync(key, statement, cancellationToken).ConfigureAwait(false);
        return await BundleReferrer.PushAsync(repository, manifest, bundle, created ?? DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Attests SLSA provenance v1 for <paramref name="manifest"/>.</summary>
    public static Task<AttachedBundle> AttestProvenanceAsync(ITarget repository, Descriptor manifest, ISigningKey key, string repositoryName,
        SlsaProvenance provenance, DateTimeOffset? created = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(provenance);
        var problems = provenance.Validate();
        if (problems.Count > 0) throw new MalformedDocumentException("SLSA provenance", problems);
        var statement = Statements.About(manifest.Digest, repositoryName, SlsaProvenance.PredicateType, provenance);
        return AttestAsync(repository, manifest, key, statement, created, cancellationToken);
    }

    /// <summary>Builds a CycloneDX SBOM of the manifest's config and every layer, and attests it.</summary>
    public static async Task<AttachedBundle> AttestSbomAsync(ITarget repository, Descriptor manifest, ISigningKey key, string repositoryName,
        DateTimeOffset? created = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var when = created ?? DateTimeOffset.UtcNow;
        var bom = await SbomBuilder.BuildAsync(repository, manifest, repositoryName, when, cancellationToken).ConfigureAwait(false);
        var statement = Statements.About(manifest.Digest, repositoryName, CycloneDxBom.PredicateType, bom);
        return await AttestAsync(repository, manifest, key, statement, when, cancellationToken).ConfigureAwait(false);
    }
}
