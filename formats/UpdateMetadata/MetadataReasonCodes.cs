namespace AtymSecure.Formats.UpdateMetadata;

/// <summary>
/// The reason codes of update-metadata refusals (docs/trust-model.md §3). Stable wire values: device reports,
/// server halts and tests name them, so a code is never renamed or reused. The bundle and install codes (steps 12–15)
/// are in <see cref="ReasonCodes"/>; codes both steps use are defined there once and aliased here.
/// </summary>
public static class MetadataReasonCodes
{
    /// <summary>A production device has no metadata for a bundle, or a required metadata file is absent from the source.</summary>
    public const string MetadataMissing = "metadata-missing";

    /// <summary>Not readable as canonical-JSON metadata: bad JSON, floats, duplicate keys, wrong <c>_type</c>, bad key id, a
    /// delegation where none is allowed, a duplicate container.</summary>
    public const string MetadataMalformed = "metadata-malformed";

    /// <summary>Over a per-role byte cap (<see cref="Verification.UpdateMetadataLimits"/>) or the length a listing states.</summary>
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

    public const string WrongDevice = "wrong-device";

    public const string WrongClass = ReasonCodes.WrongClass;

    /// <summary>Director targets echo a nonce other than the acknowledged or in-flight one.</summary>
    public const string StaleNonce = "stale-nonce";

    /// <summary>The director names a container the device's partition table lacks.</summary>
    public const string UnknownContainer = ReasonCodes.UnknownContainer;

    /// <summary>The image is not listed by the delegation that owns its path.</summary>
    public const string TargetNotListed = "target-not-listed";

    /// <summary>Hash, length or a must-match field differs between director, image repository and download.</summary>
    public const string TargetMismatch = "target-mismatch";

    /// <summary>A compiled image whose source Wasm its container's vendor did not list.</summary>
    public const string SourceNotListed = "source-not-listed";

    /// <summary>The image's security counter is below this container's floor.</summary>
    public const string CounterRollback = ReasonCodes.CounterRollback;

    /// <summary>More bytes than the signed length.</summary>
    public const string LengthExceeded = "length-exceeded";

    /// <summary>Transport error while fetching metadata or a target (retried; not an attack by itself).</summary>
    public const string DownloadFailed = "download-failed";
}
