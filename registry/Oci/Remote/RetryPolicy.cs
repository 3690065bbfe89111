using System.Net;
using System.Net.Http.Headers;

namespace AtymSecure.Oci.Remote;

/// <summary>
/// When and how long to wait before repeating a request: 408/429/5xx and transient network errors,
/// exponential backoff with jitter, never shorter than the server's <c>Retry-After</c>.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>Total tries including the first (1 disables retries).</summary>
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A <c>Retry-After</c> longer than this is not waited for; the error is returned instead.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How to wait; tests substitute a recorder so nothing really sleeps.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;

    /// <summary>Jitter source in [0,1); replaceable for deterministic tests.</summary>
    public Func<double> NextJitter { get; init; } = Random.Shared.NextDouble;

    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };

    public static bool IsRetryableStatus(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout
        or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>
    /// The wait before try number <paramref name="failedAttempts"/>+1, or null to give up
    /// (attempts exhausted, or Retry-After beyond <see cref="MaxRetryAfter"/>).
    /// </summary>
    public TimeSpan? NextDelay(int failedAttempts, RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        if (failedAttempts >= MaxAttempts) return null;
        // "Equal jitter": half fixed, half random, so concurrent clients spread out but still back off.
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failedAttempts - 1, 30));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        var delay = TimeSpan.FromMilliseconds(capped / 2 + capped / 2 * NextJitter());
        if (ServerDelay(retryAfter, now) is { } server)
        {
            if (server > MaxRetryAfter) return null;
            if (server > delay) delay = server;
        }
        return delay;
    }

    private static TimeSpan? ServerDelay(RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        if (retryAfter?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (retryAfter?.Date is { } date) return date > now ? date - now : TimeSpan.Zero;
        return null;
    }
}
