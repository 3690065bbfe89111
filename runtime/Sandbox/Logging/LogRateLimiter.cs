using System.Text;

namespace AtymSecure.Runtime.Logging;

/// <summary>
/// One container's log budget: a token bucket on the device clock (refilled at <see cref="LogLimits.LinesPerSecond"/>,
/// capped at <see cref="LogLimits.Burst"/>) that every line of the container passes through, plus the line-length cut.
/// A line without a token is dropped and counted; the count is written as one warning line (source <c>log-limit</c>) on the
/// first line admitted once <see cref="LogLimits.DropReportInterval"/> has passed since the last report, and when the
/// run ends — so a flood costs one line per interval, not one per dropped line. Not thread-safe: one per run, used on
/// the container's thread only.
/// </summary>
public sealed class LogRateLimiter
{
    public const string ReportSource = "log-limit";
    private readonly LogLimits _limits;
    private readonly TimeProvider _clock;
    private double _tokens;
    private long _refilledAt;
    private long _reportedAt;
    private long _droppedSinceReport;

    public LogRateLimiter(LogLimits limits, TimeProvider clock)
    {
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        if (limits.LinesPerSecond <= 0 || limits.Burst <= 0 || limits.MaxLineBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(limits), limits, "log limits must be positive");
        _tokens = limits.Burst;
        _refilledAt = _reportedAt = clock.GetTimestamp();
    }

    /// <summary>Every line dropped since this limiter started.</summary>
    public long DroppedTotal { get; private set; }

    /// <summary>
    /// Passes <paramref name="line"/> (the caller cuts it with <see cref="Cut"/>) to <paramref name="write"/> if the bucket has a token, first
    /// writing the dropped-lines report if one is due; otherwise counts it as dropped.
    /// </summary>
    public void Offer(string line, Action<string> write, Action<string> report)
    {
        Refill();
        if (_tokens < 1)
        {
            _droppedSinceReport++;
            DroppedTotal++;
            return;
        }
        _tokens -= 1;
        if (_droppedSinceReport > 0 && _clock.GetElapsedTime(_reportedAt) >= _limits.DropReportInterval) Report(report);
        write(line);
    }

    /// <summary>Reports what was dropped since the last report (the run ends).</summary>
    public void Flush(Action<string> report)
    {
        if (_droppedSinceReport > 0) Report(report);
    }

    /// <summary>The line, or its first bytes (whole UTF-8 characters) and a marker saying how many bytes were cut.</summary>
    /// <param name="alreadyCut">Bytes the caller dropped before building <paramref name="line"/> (counted in the marker).</param>
    public static string Cut(string line, int maxBytes, long alreadyCut = 0)
    {
        var bytes = Encoding.UTF8.GetByteCount(line);
        if (bytes <= maxBytes && alreadyCut == 0) return line;
        var kept = new StringBuilder();
        var used = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > maxBytes) break;
            kept.Append(rune.ToString());
            used += rune.Utf8SequenceLength;
        }
        return $"{kept}…[truncated {bytes - used + alreadyCut} bytes]";
    }

    private void Report(Action<string> report)
    {
        report($"dropped {_droppedSinceReport} log lines over the rate limit of {_limits.LinesPerSecond} lines/s (burst {_limits.Burst}); {DroppedTotal} dropped since start");
        _droppedSinceReport = 0;
        _reportedAt = _clock.GetTimestamp();
    }

    private void Refill()
    {
        var now = _clock.GetTimestamp();
        var elapsed = _clock.GetElapsedTime(_refilledAt, now);
        if (elapsed <= TimeSpan.Zero) return;
        _tokens = Math.Min(_limits.Burst, _tokens + (elapsed.TotalSeconds * _limits.LinesPerSecond));
        _refilledAt = now;
    }
}
