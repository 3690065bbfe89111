using System.Net;
using AtymSecure.Oci.Remote.Auth;

namespace AtymSecure.Oci.Remote;

/// <summary>
/// Sends requests to one registry host: adds auth (answering 401 challenges once per request) and
/// retries idempotent requests on 408/429/5xx and transient network errors with backoff. Every
/// request is rebuilt by its factory for each try, so bodies are always whole (never half-consumed).
/// </summary>
internal sealed class RegistryTransport
{
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30), // an unreachable host fails (and is retried) instead of hanging
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = DecompressionMethods.None,
    })
    { Timeout = Timeout.InfiniteTimeSpan });

    private readonly HttpClient _client;
    private readonly TokenAuthenticator _auth;

    public RegistryTransport(string registry, RemoteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Registry = registry;
        Options = options;
        PlainHttp = options.PlainHttp ?? IsLoopback(registry);
        BaseUri = new Uri($"{(PlainHttp ? "http" : "https")}://{registry}/");
        _client = options.HttpClient ?? SharedClient.Value;
        _auth = new TokenAuthenticator(registry, PlainHttp, options.Credentials, (f, ct) => SendCoreAsync(f, null, retry: true, ct));
    }

    public string Registry { get; }
    public RemoteOptions Options { get; }
    public bool PlainHttp { get; }
    public Uri BaseUri { get; }
    public RetryPolicy Retry => Options.Retry;

    /// <summary>Loopback registries (localhost, 127.x, ::1) default to plain http, as docker and oras do.</summary>
    public static bool IsLoopback(string registry)
    {
        var host = registry;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            host = close > 0 ? host[1..close] : host;
        }
        else if (host.LastIndexOf(':') is var colon and > 0)
        {
            host = host[..colon];
        }
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host == "::1"
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    public Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery);

    /// <summary>Sends with auth; retries only when <paramref name="retry"/> (the request is safe to repeat).</summary>
    public Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> factory, IReadOnlyList<string> scopes, bool retry, CancellationToken ct) =>
        SendCoreAsync(factory, scopes, retry, ct);

    private async Task<HttpResponseMessage> SendCoreAsync(Func<HttpRequestMessage> factory, IReadOnlyList<string>? scopes, bool retry, CancellationToken ct)
    {
        var failures = 0;
        var challenged = false;
        while (true)
        {
            using var request = factory();
            request.Headers.UserAgent.ParseAdd(Options.UserAgent);
            if (scopes is not null) await _auth.ApplyAsync(request, scopes, ct).ConfigureAwait(false);
            HttpResponseMessage response;
            try
            {
                response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (retry && IsTransient(e, ct))
            {
                failures++;
                var wait = Retry.NextDelay(failures, null, DateTimeOffset.UtcNow);
                if (wait is null) throw;
                await Retry.Delay(wait.Value, ct).ConfigureAwait(false);
                continue;
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized && scopes is not null && !challenged)
            {
                challenged = true;
                if (await _auth.HandleChallengeAsync(response, scopes, ct).ConfigureAwait(false))
                {
                    response.Dispose();
                    continue;
                }
                return response;
            }
            if (retry && RetryPolicy.IsRetryableStatus(response.StatusCode))
            {
                failures++;
                var wait = Retry.NextDelay(failures, response.Headers.RetryAfter, DateTimeOffset.UtcNow);
                if (wait is not null)
                {
                    response.Dispose();
                    await Retry.Delay(wait.Value, ct).ConfigureAwait(false);
                    continue;
                }
            }
            return response;
        }
    }

    /// <summary>Network faults and client timeouts, but not the caller's own cancellation.</summary>
    public static bool IsTransient(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && e is HttpRequestException or IOException or TaskCanceledException;
}
