namespace AtymSecure.Formats.Bundle;

/// <summary>
/// The <see cref="AtymSecure.Primitives.Problem.Code"/>s of a refused trust anchor (<see cref="ContainerNamePattern"/>,
/// <see cref="TrustedBundleKey"/>, <see cref="BundleTrustAnchors"/>): provisioning input, not an update refusal, so they
/// are not <see cref="ReasonCodes"/>. Stable: tests and messages name them.
/// </summary>
public static class TrustAnchorProblemCodes
{
    /// <summary>A container-name pattern outside the glob grammar of docs/trust-model.md §2.</summary>
    public const string InvalidPattern = "invalid-name-pattern";

    /// <summary>A role other than vendor, compiler or recovery, or none (a bare key).</summary>
    public const string InvalidRole = "invalid-key-role";

    /// <summary>A vendor key without a pattern (<c>*</c> has to be written out).</summary>
    public const string PatternRequired = "pattern-required";

    /// <summary>The same public key twice (one key, one role, as <c>atym tuf</c> does for metadata roles).</summary>
    public const string DuplicateKey = "duplicate-trusted-key";

    /// <summary>No vendor or compiler key: the device could install nothing but recovery bundles.</summary>
    public const string NoBundleKey = "no-bundle-key";

    /// <summary>More keys than a device keeps.</summary>
    public const string TooManyKeys = "too-many-trusted-keys";
}
