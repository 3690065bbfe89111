namespace AtymSecure.OtaServer.Api;

/// <summary><c>POST /api/v1/tokens</c>: a new operator token. Groups only for viewer and deployer.</summary>
public sealed record TokenCreateRequest(string Label, string Role, IReadOnlyList<string>? Groups = null, DateTimeOffset? ExpiresAt = null);

/// <summary>The created token: <see cref="Token"/> is its text, shown this once.</summary>
public sealed record TokenCreated(string Token, Auth.TokenView Details);

/// <summary><c>POST /api/v1/enrollment-tokens</c>: a fleet enrolment token; devices enrolled with it join <see cref="Groups"/>.</summary>
public sealed record EnrollmentTokenCreateRequest(string Label, long? Uses = null, DateTimeOffset? ExpiresAt = null, IReadOnlyList<string>? Groups = null);

/// <summary>What the API shows of an enrolment token (never its secret's hash).</summary>
public sealed record EnrollmentTokenView(string Id, string Label, long? UsesLeft, IReadOnlyList<string> Groups, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public static EnrollmentTokenView Of(OtaStore.EnrollmentToken t) => new(t.Id, t.Label, t.UsesLeft, t.Groups, t.CreatedAt, t.CreatedBy, t.ExpiresAt, t.RevokedAt);
}

/// <summary>The created enrolment token, shown this once.</summary>
public sealed record EnrollmentTokenCreated(string Token, EnrollmentTokenView Details);

/// <summary>A page of the audit log; pass <see cref="Next"/> as <c>after</c> for the next page (null: the end).</summary>
public sealed record AuditPageView(IReadOnlyList<OtaStore.AuditEntry> Entries, long? Next);
