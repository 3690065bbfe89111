namespace AtymSecure.OtaContracts;

/// <summary>Problem codes of the OTA service's own refusals (libraries add theirs; codes never change meaning).</summary>
public static class OtaProblemCodes
{
    public const string NotFound = "not-found";
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string OutOfScope = "out-of-scope";
    public const string BodyTooLarge = "body-too-large";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string MalformedJson = "malformed-json";

    /// <summary>A query or route value that does not bind (not a number, say).</summary>
    public const string InvalidRequest = "invalid-request";
    public const string InvalidField = "invalid-field";
    public const string UnknownField = "unknown-field";
    public const string Conflict = "conflict";
    public const string RateLimited = "rate-limited";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string TokenExpired = "token-expired";
    public const string TokenRevoked = "token-revoked";
    public const string EnrollmentTokenExhausted = "enrollment-token-exhausted";
    public const string DeviceKeyMismatch = "device-key-mismatch";
    public const string DeviceNotApproved = "device-not-approved";
    public const string DeviceDecommissioned = "device-decommissioned";
    public const string BadSignature = "bad-signature";
    public const string ChallengeInvalid = "challenge-invalid";
    public const string SessionInvalid = "session-invalid";
    public const string StaleReport = "stale-report";
    public const string InternalError = "internal-error";
}
