using AtymSecure.Oci;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Verification;

/// <summary>
/// Finds the signatures attached to a manifest (Sigstore bundle referrers — referrers API or the
/// fallback tag, through the OCI client — and the legacy cosign <c>.sig</c> tag) and checks each
/// against the trusted keys. Entry point for <c>atym verify</c>. Each signature gets a typed
/// result; <see cref="ArtifactVerificationReport.ThrowIfNotVerified"/> turns the report into
/// the specific error.
/// </summary>
public static class ArtifactVerifier
{
    public static async Task<ArtifactVerificationReport> VerifyAsync<TRepository>(TRepository repository, string reference, TrustedKeys trustedKeys,
        VerifyOptions? options = null, CancellationToken cancellationToken = default)
        where TRepository : IReadOnlyTarget, IReferrerLister
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        ArgumentNullException.ThrowIfNull(trustedKeys);
        options ??= new VerifyOptions();

        var subject = await repository.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        // Fetching checks the bytes against the digest, so everything below is about exactly these bytes.
        var manifestBytes = await repository.FetchAllAsync(subject, OciJson.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        var results = new List<BundleVerificationResult>();

        var seen = 0;
        await foreach (var referrer in repository.ListReferrersAsync(subject, null, cancellationToken).ConfigureAwait(false))
        {
            if (!BundleMediaTypes.LooksLikeBundle(referrer.ArtifactType)) continue;
            if (++seen > options.MaxReferrers) break;
            results.AddRange(await CheckReferrerAsync(repository, referrer, subject, manifestBytes, trustedKeys, cancellationToken).ConfigureAwait(false));
        }

        if (options.IncludeLegacyCosign)
            results.AddRange(await LegacyCosignVerifier.CheckAsync(repository, subject, trustedKeys, cancellationToken).ConfigureAwait(false));

        return new ArtifactVerificationReport(reference, subject, results, options.AcceptedPredicateTypes);
    }

    private static async Task<IReadOnlyList<BundleVerificationResult>> CheckReferrerAsync(IReadOnlyTarget repository, Descriptor referrer,
        Descriptor subject, byte[] manifestBytes, TrustedKeys keys, CancellationToken ct)
    {
        var location = $"referrer {referrer.Digest}";
        ImageManifest manifest;
        try
        {
            var bytes = await repository.FetchAllAsync(referrer, OciJson.MaxManifestBytes, ct).ConfigureAwait(false);
            manifest = OciJson.Deserialize<ImageManifest>(bytes);
        }
        catch (Exception e) when (e is OciException or InvalidManifestException or ArgumentException)
        {
            return [Fail(location, new MalformedBundleException($"cannot read referrer manifest: {e.Message}", e))];
        }
        // A listing (especially a client-kept fallback tag) is only a hint; the manifest's own subject binds.
        if (manifest.Subject?.Digest != subject.Digest)
            return [Fail(location, new SubjectMismatchException($"referrer manifest's subject is {manifest.Subject?.Digest.ToString() ?? "(none)"}, not {subject.Digest}"))];
        var layers = manifest.Layers.Where(l => BundleMediaTypes.LooksLikeBundle(l.MediaType)).ToList();
        if (layers.Count == 0)
            return [Fail(location, new MalformedBundleException("referrer has no layer with a Sigstore bundle media type"))];

        var results = new List<BundleVerificationResult>();
        foreach (var layer in layers)
        {
            var at = $"{location} layer {layer.Digest}";
            try
            {
                if (!BundleMediaTypes.IsSupported(layer.MediaType))
                    throw new UnsupportedMediaTypeException($"bundle layer media type '{layer.MediaType}' is not supported");
                byte[] json;
                try
                {
                    json = await repository.FetchAllAsync(layer, SigstoreBundle.MaxBytes, ct).ConfigureAwait(false);
                }
                catch (OciException e)
                {
                    throw new MalformedBundleException($"cannot fetch bundle blob: {e.Message}", e);
                }
                results.Add(BundleVerificationResult.Success(SignatureSource.Referrer, at, BundleVerifier.Verify(json, keys, subject.Digest, manifestBytes)));
            }
            catch (SignatureVerificationException e)
            {
                results.Add(Fail(at, e));
            }
        }
        return results;
    }

    private static BundleVerificationResult Fail(string location, SignatureVerificationException e) =>
        BundleVerificationResult.Failed(SignatureSource.Referrer, location, e);
}
