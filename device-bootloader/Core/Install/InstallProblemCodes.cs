namespace AtymSecure.Bootloader.Install;

/// <summary>Stable codes of <see cref="InstallProblem"/>.</summary>
public static class InstallProblemCodes
{
    public const string UnknownContainer = "unknown-container";
    public const string DeviceMismatch = "device-mismatch";
    public const string TooLarge = "too-large";
    public const string EmptyImage = "empty-image";
    public const string RollbackRefused = "rollback-refused";
    public const string TrialRunning = "trial-running";
    public const string DeltaWithoutBase = "delta-without-base";
    public const string DeltaBaseMismatch = "delta-base-mismatch";
    public const string BadSignature = "bad-signature";
    public const string Expired = "expired";
    public const string BadMetadata = "bad-metadata";
}
