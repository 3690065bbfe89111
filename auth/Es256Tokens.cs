using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AtymSecure.Auth;

/// <summary>
/// Issues and checks ES256 JWTs (RFC 7519; ES256 = ECDSA P-256 SHA-256, RFC 7518 §3.4) signed with one
/// key under one set of <see cref="TokenRules"/>, through Microsoft.IdentityModel.JsonWebTokens. Strict on
/// purpose: the algorithm is pinned to ES256 (so <c>none</c>, HS256 keyed with the public key and every
/// other algorithm are refused), the <c>kid</c> must name this key, issuer and audience must match
/// exactly, <c>exp</c> is required, and lifetime is checked on the injected clock with bounded skew.
/// Tokens are bounded in size before anything parses them.
/// </summary>
public sealed class Es256Tokens
{
    /// <summary>Longest token accepted (the registry has always refused longer ones).</summary>
    public const int MaxTokenLength = 16 * 1024;

    private static readonly HashSet<string> RegisteredClaims = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];
    private readonly TokenSigningKey _key;
    private readonly TimeProvider _clock;
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenLength, SetDefaultTimesOnTokenCreation = false };
    private readonly TokenValidationParameters _parameters;

    public Es256Tokens(TokenSigningKey key, TokenRules rules, TimeProvider clock)
    {
        _key = key ?? throw new ArgumentNullException(nameof(key));
        Rules = rules ?? throw new ArgumentNullException(nameof(rules));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _parameters = new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidTypes = ["JWT"],
            ValidIssuer = rules.Issuer,
            ValidAudience = rules.Audience,
            // Only this key, and only when the token names it: never "try every key".
            IssuerSigningKeyResolver = (_, _, kid, _) => kid == key.KeyId ? [key.SecurityKey] : [],
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = rules.ClockSkew,
            // The handler's own lifetime check reads the system clock; this one reads the injected clock.
            LifetimeValidator = (notBefore, expires, _, _) => CheckLifetime(notBefore, expires),
        };
    }

    public TokenRules Rules { get; }

    public string KeyId => _key.KeyId;

    /// <summary>
    /// Signs a token for <paramref name="subject"/> ("" allowed, e.g. anonymous) valid from now for
    /// <see cref="TokenRules.Lifetime"/>; <paramref name="claims"/> adds claims of the caller's own
    /// (JSON-serialisable values; the registered claims are set here and may not be overridden).
    /// </summary>
    public IssuedToken Issue(string subject, IReadOnlyDictionary<string, object>? claims = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var payload = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in claims ?? new Dictionary<string, object>())
        {
            if (RegisteredClaims.Contains(name)) throw new ArgumentException($"claim '{name}' is set by the token issuer", nameof(claims));
            payload[name] = value;
        }
        payload["sub"] = subject;
        payload["jti"] = Guid.NewGuid().ToString("N");

        // JWT times are whole seconds: round now down so the returned times are the token's own.
        var now = DateTimeOffset.FromUnixTimeSeconds(_clock.GetUtcNow().ToUnixTimeSeconds());
        var expires = now + Rules.Lifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Rules.Issuer,
            Audience = Rules.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = payload,
            SigningCredentials = new SigningCredentials(_key.SecurityKey, SecurityAlgorithms.EcdsaSha256),
        });
        return new IssuedToken(token, now, expires);
    }

    /// <summary>Checks a token; a refusal says which rule it broke.</summary>
    public async Task<TokenVerdict> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token)) return TokenVerdict.Refused("no token");
        if (token.Length > MaxTokenLength) return TokenVerdict.Refused($"token is longer than {MaxTokenLength} characters");
        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or JsonException or FormatException)
        {
            return TokenVerdict.Refused("token is not a well-formed JWT");
        }
        // Checked here as well as by the handler, so each refusal has its own clear reason.
        if (jwt.IsEncrypted) return TokenVerdict.Refused("encrypted tokens are not accepted");
        if (jwt.Alg != SecurityAlgorithms.EcdsaSha256) return TokenVerdict.Refused("token algorithm is not ES256");
        if (jwt.Kid != KeyId) return TokenVerdict.Refused("token names another signing key (kid)");

        var result = await _handler.ValidateTokenAsync(jwt, _parameters).ConfigureAwait(false);
        if (!result.IsValid) return TokenVerdict.Refused(Reason(result.Exception));
        if (!jwt.TryGetPayloadValue<string>("sub", out var subject) || subject is null) return TokenVerdict.Refused("token has no subject");
        using var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        return TokenVerdict.Accepted(new VerifiedToken(subject, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), document.RootElement.Clone()));
    }

    private bool CheckLifetime(DateTime? notBefore, DateTime? expires)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        if (expires is null) throw new SecurityTokenNoExpirationException("token has no expiry");
        if (expires.Value + Rules.ClockSkew < now) throw new SecurityTokenExpiredException("token has expired") { Expires = expires.Value };
        if (notBefore > now + Rules.ClockSkew) throw new SecurityTokenNotYetValidException("token is not valid yet") { NotBefore = notBefore.Value };
        return true;
    }

    private static string Reason(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "token has expired",
        SecurityTokenNotYetValidException => "token is not valid yet",
        SecurityTokenNoExpirationException => "token has no expiry",
        SecurityTokenInvalidLifetimeException => "token lifetime is invalid",
        SecurityTokenInvalidIssuerException => "token issuer is not this server",
        SecurityTokenInvalidAudienceException => "token audience is not this service",
        SecurityTokenInvalidTypeException => "token type is not JWT",
        SecurityTokenInvalidAlgorithmException => "token algorithm is not ES256",
        SecurityTokenSignatureKeyNotFoundException => "token names another signing key (kid)",
        SecurityTokenInvalidSignatureException => "token signature does not verify",
        SecurityTokenMalformedException => "token is not a well-formed JWT",
        null => "token was refused",
        _ => $"token was refused ({e.GetType().Name})",
    };
}
