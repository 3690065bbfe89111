namespace AtymSecure.Formats;

/// <summary>
/// The one list of reason codes a device, the server and the CLI use for a refused update
/// (docs/trust-model.md §3): the code of every update-metadata refusal (<see cref="UpdateMetadata.MetadataRefusal"/>)
/// and the <see cref="AtymSecure.Primitives.Problem.Code"/> of every bundle, install and container-image problem.
/// Stable wire values: device reports, server halts and tests name them, so once shipped a code is never renamed or
/// reused.
/// </summary>
public static class ReasonCodes
{
    /// <summary>Bundle frame or header invalid (also: an install image with nothing in it).</summary>
    public const string BundleMalformed = "bundle-malformed";

    /// <summary>Past the bundle's ExpiresUnixSeconds.</summary>
    public const string BundleExpired = "bundle-expired";

    /// <summary>No signature verifies under a trusted key (unknown key, tampered bytes, revoked key).</summary>
    public const string UntrustedSigner = "untrusted-signer";

    /// <summary>Some signature verifies under a trusted key, but that key's container pattern or role does not cover this
    /// bundle (a vendor key on another vendor's container, a recovery key on an ordinary bundle, a non-recovery key on a
    /// recovery bundle).</summary>
    public const string SignerOutOfScope = "signer-out-of-scope";

    /// <summary>Native code (ArtifactKind 2, 3 or 4) signed only by vendor or recovery keys: only a compiler key vouches for machine code.</summary>
    public const string NativeNotFromCompiler = "native-not-from-compiler";

    /// <summary>Built (or assigned by the director) for another device class than this device's.</summary>
    public const string WrongClass = "wrong-class";

    /// <summary>Security counter below this container's floor (the bundle's, or the image's in the metadata).</summary>
    public const string CounterRollback = "counter-rollback";

    /// <summary>The counter is above the container's floor, but the device's write-once counter store has no entry left
    /// to raise the floor with (trust-model §3 step 14; an equal counter still installs).</summary>
    public const string CounterExhausted = "counter-exhausted";

    /// <summary>The container's minRuntimeVersion is newer than the device's runtime.</summary>
    public const string RuntimeTooOld = "runtime-too-old";

    /// <summary>The target image does not fit its slot.</summary>
    public const string TooLarge = "too-large";

    /// <summary>The container's maxMemoryBytes plus the per-container overhead does not fit the device's container RAM
    /// budget beside the confirmed containers.</summary>
    public const string MemoryBudgetExceeded = "memory-budget-exceeded";

    /// <summary>A delta, but no confirmed image to apply it to.</summary>
    public const string DeltaWithoutBase = "delta-without-base";

    /// <summary>A delta cut from another base than the confirmed image.</summary>
    public const string DeltaBaseMismatch = "delta-base-mismatch";

    /// <summary>A trial of this container is running; it must be confirmed or rejected first.</summary>
    public const string TrialRunning = "trial-running";

    /// <summary>A container the partition table lacks (in a bundle, or named by the director).</summary>
    public const string UnknownContainer = "unknown-container";

    /// <summary>A payload chunk that does not hash to its signed value.</summary>
    public const string ChunkMismatch = "chunk-mismatch";

    /// <summary>The payload ends before its signed length.</summary>
    public const string Truncated = "truncated";

    /// <summary>The written slot does not read back as the signed image (its SHA-256 or size differ), or a delta does not produce it.</summary>
    public const string ImageMismatch = "image-mismatch";

    /// <summary>A container image that does not read, or does not agree with the signed header that delivered it.</summary>
    public const string ImageMalformed = "image-malformed";

    /// <summary>The device is in recovery (its state log holds records of which none verifies) and this is not a recovery
    /// bundle signed by a recovery key; installs wait for one, or for re-provisioning.</summary>
    public const string RecoveryState = "recovery-state";

    /// <summary>A recovery bundle offered to a device that is not in recovery (recovery keys open that one door only).</summary>
    public const string NotInRecovery = "not-in-recovery";

    /// <summary>A version this device's state log cannot record (a layout whose state halves only hold v1 records).</summary>
    public const string VersionNotRecordable = "version-not-recordable";

    // Update metadata (docs/trust-model.md §3 steps 0-11, docs/update-metadata.md).

    /// <summary>A production device has no metadata for a bundle, or a required metadata file is absent from the source.</summary>
    public const string MetadataMissing = "metadata-missing";

    /// <summary>Not readable as canonical-JSON metadata: bad JSON, floats, duplicate keys, wrong <c>_type</c>, bad key id, a
    /// delegation where none is allowed, a duplicate container.</summary>
    public const string MetadataMalformed = "metadata-malformed";

    /// <summary>Over a per-role byte cap (<see cref="UpdateMetadata.Verification.UpdateMetadataLimits"/>) or the length a listing states.</summary>
    public const string MetadataTooLarge = "metadata-too-large";

    /// <summary>Fewer distinct keys of the role with a valid signature than its threshold (unknown and revoked keys count for nothing).</summary>
    public const string ThresholdNotMet = "threshold-not-met";

    /// <summary>A root that is not exactly version N+1 of the trusted one.</summary>
    public const string RootChainBroken = "root-chain-broken";

    /// <summary><c>expires</c> ≤ now − skew.</summary>
    public const string MetadataExpired = "metadata-expired";

    /// <summary>A version below the trusted one, or a file the trusted snapshot listed dropped from the new one.</summary>
    public const string RollbackVersion = "rollback-version";

    /// <summary>A file's version, hash or length differs from its listing in the timestamp or snapshot.</summary>
    public const string SnapshotMismatch = "snapshot-mismatch";

    /// <summary>Director targets for another device id than this device's.</summary>
    public const string WrongDevice = "wrong-device";

    /// <summary>Director targets echo a nonce other than the acknowledged or in-flight one.</summary>
    public const string StaleNonce = "stale-nonce";

    /// <summary>The image is not listed by the delegation that owns its path.</summary>
    public const string TargetNotListed = "target-not-listed";

    /// <summary>Hash, length or a must-match field differs between director, image repository and download.</summary>
    public const string TargetMismatch = "target-mismatch";

    /// <summary>A compiled image whose source Wasm its container's vendor did not list.</summary>
    public const string SourceNotListed = "source-not-listed";

    /// <summary>More bytes than the signed length.</summary>
    public const string LengthExceeded = "length-exceeded";

    /// <summary>Transport error while fetching metadata or a target (retried; not an attack by itself).</summary>
    public const string DownloadFailed = "download-failed";

    /// <summary>A target arrived slower than the device's rate floor (docs/trust-model.md §3 step 11: below 1 KiB/s for 60 s); retried later.</summary>
    public const string DownloadStalled = "download-stalled";

    /// <summary>An offline export archive (a tar from an SWUpdate gateway's inbox or a DDI artifact) that is not a tar of the export layout; nothing unpacked.</summary>
    public const string ExportMalformed = "export-malformed";

    /// <summary>A broken or slow transfer (<see cref="DownloadFailed"/>, <see cref="DownloadStalled"/>): the device retries it by
    /// itself with the same verified metadata, resuming what it has, so it is no verdict on the update.</summary>
    public static bool IsTransfer(string? code) => code is DownloadFailed or DownloadStalled;
}
