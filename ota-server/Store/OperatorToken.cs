using AtymSecure.OtaContracts;
using AtymSecure.Primitives;

namespace AtymSecure.OtaStore;

/// <summary>
/// An operator API token (docs/trust-model.md §8): the id (the 8 hex digits in <c>atym_ID_SECRET</c>), a label, the
/// role and group scope, and the SHA-256 of the secret (hex) — the secret itself is shown once and never stored.
/// </summary>
public sealed record OperatorToken(
    string Id,
    string Label,
    OperatorRole Role,
    EquatableList<string> Groups,
    string SecretSha256,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt);
