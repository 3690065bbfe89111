using System.Text.Json;

namespace AtymSecure.Auth;

/// <summary>A token just signed, with the times written into it.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset IssuedAt, DateTimeOffset Expires);

/// <summary>A token whose signature, key id, algorithm, issuer, audience and lifetime all checked out.</summary>
/// <param name="Payload">The whole claim set, for claims the caller defines (e.g. the registry's <c>access</c>).</param>
public sealed record VerifiedToken(string Subject, DateTimeOffset Expires, JsonElement Payload);

/// <summary>The outcome of checking a token: the verified token, or why it was refused.</summary>
public sealed record TokenVerdict
{
    private TokenVerdict(VerifiedToken? token, string? refusal) => (Token, Refusal) = (token, refusal);

    public VerifiedToken? Token { get; }

    /// <summary>Why the token was refused (null when accepted); never echoes token content.</summary>
    public string? Refusal { get; }

    public bool IsAccepted => Token is not null;

    public static TokenVerdict Accepted(VerifiedToken token) => new(token ?? throw new ArgumentNullException(nameof(token)), null);

    public static TokenVerdict Refused(string reason) => new(null, reason);
}
