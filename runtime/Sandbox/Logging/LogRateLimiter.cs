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
    /// Takes a token for one line: true when the line may be written (the caller cuts it with <see cref="Cut"/>), and then
    /// <paramref name="dueReport"/> is the dropped-lines report to write before it, if one is due; false when the line is
    /// dropped (counted). No allocation per line: this runs for every line a container writes.
    /// </summary>
    public bool TryAdmit(out string? dueReport)
    {
        dueReport = null;
        Refill();
        if (_tokens < 1)
        {
            _droppedSinceReport++;
            DroppedTotal++;
            return false;
        }
        _tokens -= 1;
        if (_droppedSinceReport > 0 && _clock.GetElapsedTime(_reportedAt) >= _limits.DropReportInterval) dueReport = TakeReport();
        return true;
    }

    /// <summary>The report of what was dropped since the last one, or null when nothing was (the run ends).</summary>
    public string? Flush() => _droppedSinceReport > 0 ? TakeReport() : null;

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

    private string TakeReport()
    {
        var report = $"dropped {_droppedSinceReport} log lines over the rate limit of {_limits.LinesPerSecond} lines/s (burst {_limits.Burst}); {DroppedTotal} dropped since start";
        _droppedSinceReport = 0;
        _reportedAt = _clock.GetTimestamp();
        return report;
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
