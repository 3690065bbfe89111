using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Auth;

/// <summary>
/// The first start on an empty data folder creates one admin token: the configured one (<see cref="Hosting.OtaServerOptions.AdminToken"/>)
/// or a fresh one, whose text <see cref="CreatedText"/> holds for the caller to print once (<c>admin token: …</c>) and
/// which is never shown again. A folder that already has tokens gets none.
/// </summary>
public sealed class AdminTokenBootstrap
{
    private AdminTokenBootstrap(string? createdText, string? tokenId)
    {
        CreatedText = createdText;
        TokenId = tokenId;
    }

    /// <summary>The generated token's text, or null (tokens existed, or the configured one was used).</summary>
    public string? CreatedText { get; }

    /// <summary>The id of the token created at this start, or null.</summary>
    public string? TokenId { get; }

    internal static AdminTokenBootstrap Run(IOperatorTokenStore tokens, IAuditLog audit, string? configured, TimeProvider clock)
    {
        if (tokens.Any()) return new AdminTokenBootstrap(null, null);
        string id, hash;
        string? shown = null;
        if (configured is not null && OperatorTokenText.TryParse(configured, out id, out var secret))
        {
            hash = OperatorTokenText.Hash(secret);
        }
        else
        {
            (id, shown, hash) = OperatorTokenText.Create();
        }
        var now = clock.GetUtcNow();
        var token = new OperatorToken(id, "bootstrap admin", OperatorRole.Admin, [], hash, now, "server", null, null);
        if (!tokens.TryAdd(token)) return new AdminTokenBootstrap(null, null);
        audit.Append(new AuditEntry(0, now, "server", "server", "token.create", $"token/{id}", null, AuditJson.Of(TokenView.Of(token))));
        return new AdminTokenBootstrap(shown, id);
    }
}
