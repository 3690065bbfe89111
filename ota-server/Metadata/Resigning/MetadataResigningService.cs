using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaMetadata.Resigning;

/// <summary>
/// Hosts <see cref="MetadataResigner"/>: a pass, then a wait on the injected <see cref="TimeProvider"/> until the next
/// role is due (at most <see cref="MaxWait"/>, so a new release's schedule or a changed clock is picked up). A failed
/// pass (a key not listed, a full disk) is logged and retried after <see cref="RetryAfter"/>; the published files stay
/// as they were, and <c>atym tuf status</c> and the expiry gauge alarm once a role has < 25 % of its life left.
/// </summary>
/// <remarks>Taking <see cref="Status.TufExpiryMetrics"/> (when registered) makes the expiry gauges exist from host start.</remarks>
public sealed class MetadataResigningService(MetadataResigner resigner, TimeProvider clock, ILogger<MetadataResigningService> logger, Status.TufExpiryMetrics? metrics = null) : BackgroundService
{
    /// <summary>The gauges this host publishes (null in tests that run the loop alone).</summary>
    public Status.TufExpiryMetrics? Metrics { get; } = metrics;

    public static readonly TimeSpan MaxWait = TimeSpan.FromHours(1);
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(5);

    /// <summary>Passes completed (successful or not): tests wait on it instead of sleeping.</summary>
    public int Passes => Volatile.Read(ref _passes);

    private int _passes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var result = resigner.ResignDue();
                if (result.Any)
                    logger.LogInformation("re-signed: {Compilers} snapshot={Snapshot} timestamp={Timestamp}", string.Join(",", result.CompilerRoles), result.Snapshot, result.Timestamp);
                var next = resigner.NextDue(MaxWait) - clock.GetUtcNow();
                wait = next < TimeSpan.Zero ? TimeSpan.Zero : next > MaxWait ? MaxWait : next;
            }
#pragma warning disable CA1031 // the loop must survive any failure of one pass; the next pass retries
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogError(e, "metadata re-signing failed; retrying in {Retry}", RetryAfter);
                wait = RetryAfter;
            }
            // The timer exists before the pass is counted, so whoever watches Passes and then moves the clock
            // moves it past a timer that is already armed. A zero wait becomes 1 s: never a busy loop.
            var delay = Task.Delay(wait == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : wait, clock, stoppingToken);
            Interlocked.Increment(ref _passes);
            await delay.ConfigureAwait(false);
        }
    }
}
