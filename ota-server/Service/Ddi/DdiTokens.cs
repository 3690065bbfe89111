using AtymSecure.OtaServer.Auth;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// The text of DDI tokens, made and checked like our operator tokens (<see cref="OperatorTokenText"/>: 32 random bytes,
/// only the SHA-256 of the secret stored, constant-time comparison), with prefixes of their own so no kind is taken for
/// another: <c>atymddi_ID_SECRET</c> for a TargetToken, <c>atymgw_ID_SECRET</c> for a GatewayToken. Clients send them as
/// hawkBit's <c>Authorization: TargetToken …</c> / <c>GatewayToken …</c>.
/// </summary>
public static class DdiTokens
{
    public const string TargetPrefix = "atymddi_";
    public const string GatewayPrefix = "atymgw_";

    public static (string Id, string Text, string SecretSha256) NewTarget() => OperatorTokenText.Create(TargetPrefix);

    public static (string Id, string Text, string SecretSha256) NewGateway() => OperatorTokenText.Create(GatewayPrefix);

    /// <summary>Whether <paramref name="text"/> is a token of <paramref name="prefix"/> with id <paramref name="storedId"/> and the stored secret hash.</summary>
    public static bool Matches(string? text, string prefix, string? storedId, string? storedSha256) =>
        storedId is not null && storedSha256 is not null && OperatorTokenText.TryParse(text, prefix, out var id, out var secret)
        && string.Equals(id, storedId, StringComparison.Ordinal) && OperatorTokenText.Matches(secret, storedSha256);
}
