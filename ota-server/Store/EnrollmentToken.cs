using AtymSecure.Primitives;

namespace AtymSecure.OtaStore;

/// <summary>A fleet enrolment token: pre-shared, with an optional use count and expiry, revocable. Secret stored as SHA-256 (hex).</summary>
public sealed record EnrollmentToken(
    string Id,
    string Label,
    string SecretSha256,
    long? UsesLeft,
    EquatableList<string> Groups,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt);
