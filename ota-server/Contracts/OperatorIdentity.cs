using System.Security.Claims;

namespace AtymSecure.OtaContracts;

/// <summary>
/// The authenticated operator of a request, as every library needs it for authorization and the audit log: token id
/// and label (the audit's "who"), role, and the device groups it is limited to (empty = unscoped).
/// </summary>
public sealed record OperatorIdentity(string TokenId, string Label, OperatorRole Role, IReadOnlyList<string> Groups)
{
    public const string AuthenticationScheme = "AtymOperatorToken";
    public const string TokenIdClaim = "atym:token-id";
    public const string LabelClaim = "atym:label";
    public const string RoleClaim = "atym:role";
    public const string GroupClaim = "atym:group";

    public bool IsScoped => Groups.Count > 0;

    /// <summary>Whether this operator may act on something in <paramref name="groups"/>: unscoped tokens may act anywhere,
    /// scoped ones only where one of their groups is present.</summary>
    public bool Covers(IEnumerable<string> groups) => !IsScoped || groups.Any(g => Groups.Contains(g, StringComparer.Ordinal));

    public ClaimsPrincipal ToPrincipal() => new(new ClaimsIdentity(
        [
            new Claim(TokenIdClaim, TokenId), new Claim(LabelClaim, Label), new Claim(RoleClaim, OperatorRoles.Name(Role)),
            .. Groups.Select(g => new Claim(GroupClaim, g)),
        ], AuthenticationScheme, LabelClaim, RoleClaim));

    /// <summary>The operator of an authenticated request, or null (anonymous, or a device session).</summary>
    public static OperatorIdentity? From(ClaimsPrincipal? user)
    {
        if (user?.Identity is not { IsAuthenticated: true, AuthenticationType: AuthenticationScheme }) return null;
        var id = user.FindFirstValue(TokenIdClaim);
        if (id is null || !OperatorRoles.TryParse(user.FindFirstValue(RoleClaim), out var role)) return null;
        return new OperatorIdentity(id, user.FindFirstValue(LabelClaim) ?? "", role, user.FindAll(GroupClaim).Select(c => c.Value).ToList());
    }
}
