namespace AtymSecure.Formats;

/// <summary>
/// The one list of reason codes a device, the server and the CLI use for a refused update
/// (docs/trust-model.md §3): the <see cref="AtymSecure.Primitives.Problem.Code"/> of every bundle, install and
/// container-image problem. Stable wire values: once shipped, a code is never renamed or reused. The metadata
/// steps' codes are in <see cref="UpdateMetadata.MetadataReasonCodes"/>, which aliases the ones both use.
/// </summary>
public static class ReasonCodes
{
    /// <summary>Bundle frame or header invalid (also: an install image with nothing in it).</summary>
    public const string BundleMalformed = "bundle-malformed";

    /// <summary>Past the bundle's ExpiresUnixSeconds.</summary>
    public const string BundleExpired = "bundle-expired";

    /// <summary>No signature verifies under a trusted key (unknown key, tampered bytes, revoked key).</summary>
    public const string UntrustedSigner = "untrusted-signer";

    /// <summary>Built for another device class than this device's.</summary>
    public const string WrongClass = "wrong-class";

    /// <summary>Security counter below this container's floor.</summary>
    public const string CounterRollback = "counter-rollback";

    /// <summary>The container's minRuntimeVersion is newer than the device's runtime.</summary>
    public const string RuntimeTooOld = "runtime-too-old";

    /// <summary>The target image does not fit its slot.</summary>
    public const string TooLarge = "too-large";

    /// <summary>A delta, but no confirmed image to apply it to.</summary>
    public const string DeltaWithoutBase = "delta-without-base";

    /// <summary>A delta cut from another base than the confirmed image.</summary>
    public const string DeltaBaseMismatch = "delta-base-mismatch";

    /// <summary>A trial of this container is running; it must be confirmed or rejected first.</summary>
    public const string TrialRunning = "trial-running";

    /// <summary>A container the partition table lacks.</summary>
    public const string UnknownContainer = "unknown-container";

    /// <summary>A payload chunk that does not hash to its signed value.</summary>
    public const string ChunkMismatch = "chunk-mismatch";

    /// <summary>The payload ends before its signed length.</summary>
    public const string Truncated = "truncated";

    /// <summary>A container image that does not read, or does not agree with the signed header that delivered it.</summary>
    public const string ImageMalformed = "image-malformed";

    /// <summary>A version this device's state log cannot record (a layout whose state halves only hold v1 records).</summary>
    public const string VersionNotRecordable = "version-not-recordable";
}
