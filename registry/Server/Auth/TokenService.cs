using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
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
/// scopes to grant, and issues/verifies ES256 JWTs signed with the registry's own P-256 key.
/// Spec: https://distribution.github.io/distribution/spec/auth/token/ and RFC 7515/7518 (ES256 = P1363 r||s).
/// </summary>
public sealed class TokenService : IDisposable
{
    private const int MaxTokenLength = 16 * 1024;
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
    private readonly ECDsa _key;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<(AccountConfig Account, IReadOnlyList<(RepositoryPattern Pattern, GrantConfig Grant)> Grants)> _accounts;
    private readonly IReadOnlyList<(RepositoryPattern Pattern, GrantConfig Grant)> _anonymous;
    // PBKDF2 is slow on purpose; remember recent successes (keyed by a hash, never the password).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);

    public TokenService(AuthConfig config, ECDsa key, TimeProvider clock)
    {
        Config = config ?? throw new ArgumentNullException(nameof(config));
        _key = key ?? throw new ArgumentNullException(nameof(key));
        _clock = clock;
        _accounts = config.Accounts.Select(a => (a, Compile(a.Grants))).ToList();
        _anonymous = Compile(config.Anonymous);
        KeyId = Base64Url(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 16));
    }

    public AuthConfig Config { get; }
    public string KeyId { get; }

    /// <summary>Loads the auth file named by the options and the signing key (generated on first use).</summary>
    public static TokenService Create(RegistryOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = AuthConfig.Load(options.AuthConfigPath ?? throw new InvalidOperationException("auth is not configured"));
        var keyPath = config.SigningKeyPath ?? Path.Combine(options.DataDirectory, "auth", "token-signing-key.pem");
        return new TokenService(config, SigningKeyFile.LoadOrCreate(keyPath), clock);
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
        issuedAt = _clock.GetUtcNow();
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = KeyId });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new TokenPayload
        {
            Issuer = Config.Issuer, Subject = subject, Audience = Config.Service,
            IssuedAt = issuedAt.ToUnixTimeSeconds(), NotBefore = issuedAt.ToUnixTimeSeconds(),
            Expires = (issuedAt + Config.TokenLifetime).ToUnixTimeSeconds(),
            Id = Guid.NewGuid().ToString("N"), Access = access,
        });
        var signingInput = Base64Url(header) + "." + Base64Url(payload);
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>The claims of a token this registry issued and that is still valid; null otherwise.</summary>
    public TokenClaims? Validate(string token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength) return null;
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var header = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(FromBase64Url(parts[0]));
            if (header is null || !header.TryGetValue("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "ES256")
                return null;
            var signature = FromBase64Url(parts[2]);
            if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256,
                    DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                return null;
            var payload = JsonSerializer.Deserialize<TokenPayload>(FromBase64Url(parts[1]));
            if (payload is null || payload.Issuer != Config.Issuer || payload.Audience != Config.Service) return null;
            var now = _clock.GetUtcNow();
            if (DateTimeOffset.FromUnixTimeSeconds(payload.Expires) + ClockSkew < now) return null;
            if (DateTimeOffset.FromUnixTimeSeconds(payload.NotBefore) - ClockSkew > now) return null;
            return new TokenClaims(payload.Subject ?? "", payload.Access ?? [], DateTimeOffset.FromUnixTimeSeconds(payload.Expires));
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or CryptographicException)
        {
            return null;
        }
    }

    public void Dispose() => _key.Dispose();

    private sealed class TokenPayload
    {
        [JsonPropertyName("iss")] public string? Issuer { get; set; }
        [JsonPropertyName("sub")] public string? Subject { get; set; }
        [JsonPropertyName("aud")] public string? Audience { get; set; }
        [JsonPropertyName("exp")] public long Expires { get; set; }
        [JsonPropertyName("nbf")] public long NotBefore { get; set; }
        [JsonPropertyName("iat")] public long IssuedAt { get; set; }
        [JsonPropertyName("jti")] public string? Id { get; set; }
        [JsonPropertyName("access")] public IReadOnlyList<AccessEntry>? Access { get; set; }
    }

    internal static string Base64Url(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
