using AtymSecure.Oci;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Verification;

/// <summary>
/// Checks the legacy cosign <c>sha256-&lt;hex&gt;.sig</c> layout: each simple-signing layer's
/// annotation signature over the payload bytes, and that the payload's
/// <c>docker-manifest-digest</c> is the manifest being verified.
/// Spec: https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
/// </summary>
public static class LegacyCosignVerifier
{
    public const int MaxLayers = 64;

    public static async Task<IReadOnlyList<BundleVerificationResult>> CheckAsync(IReadOnlyTarget repository, Descriptor subject, TrustedKeys keys,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(keys);
        var tag = LegacyCosignSignature.TagFor(subject.Digest);
        (Descriptor Descriptor, ImageManifest Manifest)? found;
        try
        {
            found = await LegacyCosignSignature.ReadAsync(repository, subject.Digest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OciException or InvalidManifestException)
        {
            return [Fail(tag, new MalformedBundleException($"cannot read {tag}: {e.Message}", e))];
        }
        if (found is not { } sig) return [];

        var results = new List<BundleVerificationResult>();
        foreach (var layer in sig.Manifest.Layers.Where(l => l.MediaType == SimpleSigningPayload.MediaType).Take(MaxLayers))
        {
            var at = $"{tag} layer {layer.Digest}";
            try
            {
                results.Add(new BundleVerificationResult(SignatureSource.LegacyCosignTag, at,
                    await CheckLayerAsync(repository, layer, subject.Digest, keys, cancellationToken).ConfigureAwait(false), null, null));
            }
            catch (SignatureVerificationException e)
            {
                results.Add(Fail(at, e));
            }
        }
        return results;
    }

    private static async Task<VerifiedBundle> CheckLayerAsync(IReadOnlyTarget repository, Descriptor layer, Digest subject, TrustedKeys keys,
        CancellationToken ct)
    {
        var encoded = layer.Annotations?.GetValueOrDefault(SimpleSigningPayload.SignatureAnnotation);
        if (string.IsNullOrEmpty(encoded))
            throw new MalformedBundleException($"layer has no {SimpleSigningPayload.SignatureAnnotation} annotation");
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            throw new MalformedBundleException($"{SimpleSigningPayload.SignatureAnnotation} is not base64");
        }
        byte[] payload;
        try
        {
            payload = await repository.FetchAllAsync(layer, SimpleSigningPayload.MaxBytes, ct).ConfigureAwait(false);
        }
        catch (OciException e)
        {
            throw new MalformedBundleException($"cannot fetch simple-signing payload: {e.Message}", e);
        }
        // The .sig layout carries no key hint: every trusted key is tried.
        var signer = keys.FindSigner(payload, signature, hint: null)
            ?? throw new UntrustedKeyException($"cosign signature does not verify with any of the {keys.Keys.Count} trusted key(s)");
        SimpleSigningPayload parsed;
        try
        {
            parsed = SimpleSigningPayload.Parse(payload);
        }
        catch (MalformedDocumentException e)
        {
            throw new MalformedBundleException($"signed payload: {e.Message}", e);
        }
        var named = parsed.Critical!.Image!.DockerManifestDigest;
        if (named != subject.ToString())
            throw new SubjectMismatchException($"the cosign signature is for {named}, not {subject}");
        return new VerifiedBundle(BundleContent.LegacyCosignSignature, signer.KeyId, signer.Algorithm, null, null);
    }

    private static BundleVerificationResult Fail(string location, SignatureVerificationException e) =>
        BundleVerificationResult.Failed(SignatureSource.LegacyCosignTag, location, e);
}
