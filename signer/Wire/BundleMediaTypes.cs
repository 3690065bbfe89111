namespace AtymSecure.Signer.Wire;

/// <summary>
/// Sigstore bundle media types. Spec: https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto
/// and https://github.com/sigstore/cosign/blob/main/specs/BUNDLE_SPEC.md.
/// </summary>
public static class BundleMediaTypes
{
    public const string V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

    /// <summary>Pre-0.3 spelling, still written by older clients (0.1, 0.2, and 0.3 itself at first).</summary>
    public const string LegacyPrefix = "application/vnd.dev.sigstore.bundle+json;version=";

    /// <summary>OCI annotation naming what the bundle holds (<c>dsse-envelope</c> or <c>message-signature</c>).</summary>
    public const string ContentAnnotation = "dev.sigstore.bundle.content";
    public const string PredicateTypeAnnotation = "dev.sigstore.bundle.predicateType";
    public const string ContentDsseEnvelope = "dsse-envelope";
    public const string ContentMessageSignature = "message-signature";

    /// <summary>Bundle versions we read; all share the key-only verification material we support.</summary>
    public static bool IsSupported(string? mediaType) => mediaType switch
    {
        V03 => true,
        LegacyPrefix + "0.1" or LegacyPrefix + "0.2" or LegacyPrefix + "0.3" => true,
        "application/vnd.dev.sigstore.bundle.v0.1+json" or "application/vnd.dev.sigstore.bundle.v0.2+json" => true,
        _ => false,
    };

    /// <summary>True for anything that looks like a Sigstore bundle, supported or not (for discovery filters).</summary>
    public static bool LooksLikeBundle(string? mediaType) =>
        mediaType is not null && mediaType.StartsWith("application/vnd.dev.sigstore.bundle", StringComparison.Ordinal);
}
