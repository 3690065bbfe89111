using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AtymSecure.Oci.Remote.Auth;

/// <summary>
/// Answers 401 challenges for one registry host: Docker token flow (GET the realm with
/// service/scope, basic credentials or anonymous; or OAuth2 POST with a refresh token) with tokens
/// cached per scope set until they expire, or plain Basic auth when the registry asks for it.
/// Spec: https://distribution.github.io/distribution/spec/auth/token/
/// </summary>
internal sealed class TokenAuthenticator(
    string registry,
    bool registryIsPlainHttp,
    ICredentialProvider? credentials,
    Func<Func<HttpRequestMessage>, CancellationToken, Task<HttpResponseMessage>> sendWithoutAuth)
{
    private const int MaxTokenResponseBytes = 1024 * 1024;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private volatile bool _useBasic;

    public Func<DateTimeOffset> Now { get; init; } = () => DateTimeOffset.UtcNow;

    /// <summary>Adds the Authorization header we already know works for these scopes (saves a 401 round trip).</summary>
    public async ValueTask ApplyAsync(HttpRequestMessage request, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        var credential = credentials is null ? null : await credentials.GetCredentialAsync(registry, ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(credential?.AccessToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.AccessToken);
            return;
        }
        if (_useBasic && credential is { HasBasic: true })
        {
            request.Headers.Authorization = BasicHeader(credential);
            return;
        }
        if (_tokens.TryGetValue(Scopes.Key(scopes), out var cached) && cached.Expires > Now())
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", cached.Token);
    }

    /// <summary>Handles a 401: true when new credentials were obtained and the request should be sent again.</summary>
    public async Task<bool> HandleChallengeAsync(HttpResponseMessage response, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        var challenges = response.Headers.TryGetValues("WWW-Authenticate", out var values)
            ? values.Select(AuthChallenge.TryParse).OfType<AuthChallenge>().ToList()
            : [];
        var credential = credentials is null ? null : await credentials.GetCredentialAsync(registry, ct).ConfigureAwait(false);
        if (challenges.FirstOrDefault(c => c.IsBearer && c.Realm is not null) is { } bearer)
        {
            var token = await FetchTokenAsync(bearer, credential, ct).ConfigureAwait(false);
            _tokens[Scopes.Key(scopes)] = token;
            _tokens[Scopes.Key(bearer.Scopes)] = token;
            return true;
        }
        if (challenges.Any(c => c.IsBasic) && credential is { HasBasic: true } && !_useBasic)
        {
            _useBasic = true;
            return true;
        }
        return false;
    }

    private async Task<(string Token, DateTimeOffset Expires)> FetchTokenAsync(AuthChallenge challenge, Credential? credential, CancellationToken ct)
    {
        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp))
            throw new OciException($"{registry}: token realm '{challenge.Realm}' is not an http(s) URL");
        var sendsSecret = credential is { HasBasic: true } || !string.IsNullOrEmpty(credential?.RefreshToken);
        if (sendsSecret && realm.Scheme == Uri.UriSchemeHttp && !registryIsPlainHttp)
            throw new OciException($"{registry}: refusing to send credentials to plain-http token realm {realm.GetLeftPart(UriPartial.Authority)}");
        HttpRequestMessage Build()
        {
            if (!string.IsNullOrEmpty(credential?.RefreshToken))
            {
                var form = new List<KeyValuePair<string, string>>
                {
                    new("grant_type", "refresh_token"), new("refresh_token", credential.RefreshToken), new("client_id", "atym"),
                };
                if (challenge.Service is { } s) form.Add(new("service", s));
                if (challenge.Scopes.Count > 0) form.Add(new("scope", string.Join(' ', challenge.Scopes)));
                return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
            }
            var query = new StringBuilder(realm.Query.Length > 1 ? realm.Query[1..] : "");
            void Add(string k, string v) => query.Append(query.Length > 0 ? "&" : "").Append(k).Append('=').Append(Uri.EscapeDataString(v));
            if (challenge.Service is { } service) Add("service", service);
            foreach (var scope in challenge.Scopes) Add("scope", scope);
            if (credential is { HasBasic: true }) Add("account", credential.Username!);
            var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realm) { Query = query.ToString() }.Uri);
            if (credential is { HasBasic: true }) request.Headers.Authorization = BasicHeader(credential);
            return request;
        }
        using var response = await sendWithoutAuth(Build, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ResponseErrors.CreateAsync(response, null, ct).ConfigureAwait(false);
        var body = await ResponseErrors.ReadBoundedAsync(response, MaxTokenResponseBytes, "token response", ct).ConfigureAwait(false);
        return ParseToken(body, Now());
    }

    /// <summary>Reads <c>token</c>/<c>access_token</c> and <c>expires_in</c> (default 60 s per the token spec).</summary>
    internal static (string Token, DateTimeOffset Expires) ParseToken(byte[] body, DateTimeOffset now)
    {
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            string? token = null;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String) token = t.GetString();
                if (string.IsNullOrEmpty(token) && root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String) token = a.GetString();
            }
            if (string.IsNullOrEmpty(token)) throw new OciException("token response has no token or access_token");
            var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0 ? seconds : 60;
            // Renew a little early so a token never expires between our check and the server's.
            var margin = Math.Min(10, lifetime / 2);
            return (token, now.AddSeconds(lifetime - margin));
        }
        catch (JsonException ex)
        {
            throw new OciException($"token response is not JSON: {ex.Message}", ex);
        }
    }

    private static AuthenticationHeaderValue BasicHeader(Credential c) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.Username}:{c.Password}")));
}
