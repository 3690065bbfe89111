using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Auth;
using AtymSecure.Registry.Hosting;

namespace AtymSecure.Registry.Auth;

/// <summary>One <c>access</c> entry of a registry token: <c>{"type":"repository","name":…,"actions":[…]}</c>.</summary>
public sealed record AccessEntry(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions);

/// <summary>What a verified token says.</summary>
public sealed record TokenClaims(string Subject, IReadOnlyList<AccessEntry> Access, DateTimeOffset Expires);

/// <summary>
/// The Docker token flow's authority: checks account passwords, decides which of the requested
/// scopes to grant, and issues/verifies ES256 JWTs signed with the registry's own P-256 key
/// (through <see cref="Es256Tokens"/>: issuer, audience = service, bounded skew, pinned algorithm and kid).
/// Spec: https://distribution.github.io/distribution/spec/auth/token/ — the <c>access</c> claim is ours to read.
/// </summary>
public sealed class TokenService : IDisposable
{
    private const string AccessClaim = "access";
    private readonly TokenSigningKey _key;
    private readonly Es256Tokens _tokens;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<(AccountConfig Account, IReadOnlyList<(RepositoryPattern Pattern, GrantConfig Grant)> Grants)> _accounts;
    private readonly IReadOnlyList<(RepositoryPattern Pattern, GrantConfig Grant)> _anonymous;
    // PBKDF2 is slow on purpose; remember recent successes (keyed by a hash, never the password).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);

    /// <summary>Takes ownership of <paramref name="key"/>.</summary>
    public TokenService(AuthConfig config, TokenSigningKey key, TimeProvider clock)
    {
        Config = config ?? throw new ArgumentNullException(nameof(config));
        _key = key ?? throw new ArgumentNullException(nameof(key));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _tokens = new Es256Tokens(key, new TokenRules(config.Issuer, config.Service, config.TokenLifetime), clock);
        _accounts = config.Accounts.Select(a => (a, Compile(a.Grants))).ToList();
        _anonymous = Compile(config.Anonymous);
    }

    public AuthConfig Config { get; }
    public string KeyId => _key.KeyId;

    /// <summary>Loads the auth file named by the options and the signing key (generated on first use).</summary>
    public static TokenService Create(RegistryOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = AuthConfig.Load(options.AuthConfigPath ?? throw new InvalidOperationException("auth is not configured"));
        var keyPath = config.SigningKeyPath ?? Path.Combine(options.DataDirectory, "auth", "token-signing-key.pem");
        return new TokenService(config, TokenSigningKey.LoadOrCreate(keyPath), clock);
    }

    private static IReadOnlyList<(RepositoryPattern, GrantConfig)> Compile(IEnumerable<GrantConfig> grants) =>
        grants.Select(g => (new RepositoryPattern(g.Repositories), g)).ToList();

    /// <summary>The account when the password is right, else null.</summary>
    public AccountConfig? Authenticate(string user, string password)
    {
        var entry = _accounts.FirstOrDefault(a => a.Account.Name == user);
        if (entry.Account is null) return null;
        var cacheKey = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user + "\0" + password + "\0" + entry.Account.PasswordHash)));
        var now = _clock.GetUtcNow();
        if (_verified.TryGetValue(cacheKey, out var until) && until > now) return entry.Account;
        if (!PasswordHasher.Verify(password, entry.Account.PasswordHash)) return null;
        if (_verified.Count > 10_000) _verified.Clear();
        _verified[cacheKey] = now.AddMinutes(5);
        return entry.Account;
    }

    /// <summary>Grants the intersection of the requested scopes and the account's (or anonymous) rights.</summary>
    public IReadOnlyList<AccessEntry> Grant(AccountConfig? account, IEnumerable<string> scopes)
    {
        var grants = account is null ? _anonymous : _accounts.First(a => a.Account == account).Grants;
        var result = new List<AccessEntry>();
        foreach (var scope in scopes.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            var first = scope.IndexOf(':', StringComparison.Ordinal);
            var last = scope.LastIndexOf(':');
            if (first <= 0 || last <= first || scope[..first] != "repository") continue;
            var name = scope[(first + 1)..last];
            var requested = scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
            var granted = requested.Where(a => Allows(grants, name, a)).Distinct().ToList();
            result.Add(new AccessEntry("repository", name, granted));
        }
        return result;
    }

    /// <summary>Whether <paramref name="subject"/> ("" = anonymous) may do <paramref name="action"/> on the repository per the config.</summary>
    public bool IsAllowed(string subject, string repository, string action)
    {
        var grants = subject.Length == 0 ? _anonymous : _accounts.FirstOrDefault(a => a.Account.Name == subject).Grants ?? [];
        return Allows(grants, repository, action);
    }

    /// <summary>The one grant rule: some grant whose pattern matches the repository lists the action or "*".</summary>
    private static bool Allows(IReadOnlyList<(RepositoryPattern Pattern, GrantConfig Grant)> grants, string repository, string action) =>
        grants.Any(g => g.Pattern.Matches(repository) && (g.Grant.Actions.Contains(action) || g.Grant.Actions.Contains("*")));

    public string Issue(string subject, IReadOnlyList<AccessEntry> access, out DateTimeOffset issuedAt)
    {
        var issued = _tokens.Issue(subject, new Dictionary<string, object> { [AccessClaim] = JsonSerializer.SerializeToElement(access) });
        issuedAt = issued.IssuedAt;
        return issued.Token;
    }

    /// <summary>The claims of a token this registry issued and that is still valid; null otherwise.</summary>
    public async Task<TokenClaims?> ValidateAsync(string token)
    {
        var verdict = await _tokens.ValidateAsync(token).ConfigureAwait(false);
        if (verdict.Token is not { } verified) return null;
        IReadOnlyList<AccessEntry>? access = [];
        if (verified.Payload.TryGetProperty(AccessClaim, out var claim))
        {
            try
            {
                access = claim.Deserialize<IReadOnlyList<AccessEntry>>();
            }
            catch (JsonException)
            {
                return null;
            }
        }
        return new TokenClaims(verified.Subject, access ?? [], verified.Expires);
    }

    public void Dispose() => _key.Dispose();
}
