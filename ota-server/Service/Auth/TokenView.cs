using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Auth;

/// <summary>What the API and the audit log show of an operator token: everything but the secret's hash.</summary>
public sealed record TokenView(string Id, string Label, string Role, IReadOnlyList<string> Groups, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public static TokenView Of(OperatorToken t) =>
        new(t.Id, t.Label, OperatorRoles.Name(t.Role), t.Groups, t.CreatedAt, t.CreatedBy, t.ExpiresAt, t.RevokedAt);
}
