using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaMetadata.Resigning;

/// <summary>
/// Hosts <see cref="MetadataResigner"/>: a look at the folder, then a wait on the injected <see cref="TimeProvider"/> until
/// the next role is due (at most <see cref="MaxWait"/>, so a new release's schedule or a changed clock is picked up).
/// <para>
/// A due round is run through <see cref="IResignRounds"/>. In the OTA host that is a job in the durable job queue, with a
/// deterministic id per round (<c>job-resign-t{highest timestamp version}</c>, <see cref="ResignRound"/>), rather than an advisory lock with a ledger of its
/// own: the queue already gives what a round needs on LiteDB and PostgreSQL alike — a claim with a lease, takeover of a
/// killed holder's job after the lease, fenced writes of the claim, and the claims ledger (<c>job_claims</c>) that tests
/// assert "once" from — so re-signing adds a job kind instead of a second claim mechanism. Every replica runs this
/// service; all that look at the same published set name the same round, the store keeps the first job of that id, and
/// one replica's worker claims it. The handler is idempotent: it reads the folder again and re-signs only what is still
/// due, so a round taken over from a killed holder finishes what that holder left (a snapshot no timestamp names yet)
/// and re-signs nothing twice. A holder that stalled past its lease and wakes up is kept from publishing by the
/// repository's version fences (create-new versioned files, the timestamp replaced only over an older version; see
/// <see cref="Repository.ImageRepository"/>): versions only go up. After handing a round off this service looks again
/// after <see cref="RetryAfter"/>, in case that job failed (a failed round's id gets a generation suffix and runs again).
/// The price of sharing the queue: a round waits behind a release import that runs at that moment (the queue runs one
/// job at a time); roles fall due at half their life, so minutes of delay cost nothing.
/// </para>
/// <para>
/// Without a job queue (no registry configured) <see cref="InlineResignRounds"/> runs the round here; replicas without a
/// queue may then both run a round, and the version fences make the second writer's attempt fail cleanly (logged,
/// retried after <see cref="RetryAfter"/>, by then nothing is due). A failed pass (a key not listed, a full disk) is
/// logged and retried after <see cref="RetryAfter"/>; the published files stay as they were, and <c>atym tuf status</c>
/// and the expiry gauge alarm once a role has &lt; 25 % of its life left.
/// </para>
/// </summary>
/// <remarks>Taking <see cref="Status.TufExpiryMetrics"/> (when registered) makes the expiry gauges exist from host start.</remarks>
public sealed class MetadataResigningService(MetadataResigner resigner, IResignRounds rounds, TimeProvider clock, ILogger<MetadataResigningService> logger,
    Status.TufExpiryMetrics? metrics = null) : BackgroundService
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
                wait = await PassAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
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

    /// <summary>One look: runs or hands off the due round; returns how long to wait before the next look.</summary>
    private async Task<TimeSpan> PassAsync(CancellationToken ct)
    {
        var schedule = resigner.Look(MaxWait);
        var next = schedule.NextDue;
        if (schedule.Due is { } round)
        {
            if (!await rounds.RunAsync(round, ct).ConfigureAwait(false))
            {
                logger.LogDebug("re-signing round t{Version} (due {Due:O}) is with the job queue", round.TimestampVersion, round.DueAt);
                return RetryAfter;
            }
            next = resigner.NextDue(MaxWait);
        }
        var wait = next - clock.GetUtcNow();
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWait ? MaxWait : wait;
    }
}
