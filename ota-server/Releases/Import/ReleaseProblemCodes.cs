namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// Stable codes of release, assignment and bundle refusals (problem+json <c>type</c> =
/// <c>https://atym.dev/problems/CODE</c>). Never renamed or reused.
/// </summary>
public static class ReleaseProblemCodes
{
    public const string ReferenceInvalid = "reference-invalid";
    public const string RegistryNotAllowed = "registry-not-allowed";
    public const string ContainerNotFound = "container-not-found";
    public const string ContainerUntrusted = "container-untrusted";
    public const string ContainerInvalid = "container-invalid";
    public const string NoDeviceClasses = "no-device-classes";
    public const string UnknownDeviceClass = "unknown-device-class";
    public const string CounterBelowPredecessor = "counter-below-predecessor";
    public const string CounterTooLarge = "counter-too-large";
    public const string CounterConflict = "counter-conflict";
    public const string RegistryUnavailable = "registry-unavailable";
    public const string CompileFailed = "compile-failed";
    public const string TargetNotSupported = "target-not-supported";
    public const string ReleaseNotFound = "release-not-found";
    public const string JobNotFound = "job-not-found";
    public const string DeviceIdInvalid = "device-id-invalid";
    public const string DeviceNotFound = "device-not-found";
    public const string ClassNotInRelease = "class-not-in-release";
    public const string RejectedByDevice = "rejected-by-device";

    /// <summary>The policy withholds a permission on a class whose image cannot carry grants (a wasm2c object linked into firmware).</summary>
    public const string GrantsNotCarried = "grants-not-carried";
    public const string BundleDigestInvalid = "bundle-digest-invalid";
    public const string BundleNotFound = "bundle-not-found";

    /// <summary>The bundle store (an object store) could not be reached or refused the read: 503, retry later.</summary>
    public const string BundleStoreUnavailable = "bundle-store-unavailable";
    public const string RequestInvalid = "request-invalid";
    public const string OfflineExportMixedClasses = "offline-export-mixed-classes";
    public const string OfflineExportNotReady = "offline-export-not-ready";
    public const string OfflineExportTargetsDiffer = "offline-export-targets-differ";
    public const string OfflineExportNothingAssigned = "offline-export-nothing-assigned";
}
