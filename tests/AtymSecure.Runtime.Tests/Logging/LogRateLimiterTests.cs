using AtymSecure.Runtime.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.Runtime.Tests.Logging;

public sealed class LogRateLimiterTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly List<string> _written = [];
    private readonly List<string> _reports = [];

    private LogRateLimiter Limiter(int rate = 10, int burst = 5) =>
        new(new LogLimits { LinesPerSecond = rate, Burst = burst, DropReportInterval = TimeSpan.FromSeconds(10) }, _clock);

    private void Offer(LogRateLimiter limiter, int lines)
    {
        for (var i = 0; i < lines; i++)
        {
            if (!limiter.TryAdmit(out var report)) continue;
            if (report is not null) _reports.Add(report);
            _written.Add($"line {i}");
        }
    }

    private void Flush(LogRateLimiter limiter)
    {
        if (limiter.Flush() is { } report) _reports.Add(report);
    }

    [Fact]
    public void A_burst_passes_then_lines_are_dropped_until_the_bucket_refills()
    {
        var limiter = Limiter();
        Offer(limiter, 8);
        Assert.Equal(5, _written.Count);
        Assert.Equal(3, limiter.DroppedTotal);

        _clock.Advance(TimeSpan.FromMilliseconds(300)); // 3 tokens at 10 lines/s
        Offer(limiter, 5);
        Assert.Equal(8, _written.Count);
        Assert.Equal(5, limiter.DroppedTotal);

        _clock.Advance(TimeSpan.FromHours(1)); // refills to the burst, never beyond
        Offer(limiter, 10);
        Assert.Equal(13, _written.Count);
    }

    [Fact]
    public void Dropped_lines_are_reported_once_per_interval_and_at_the_end()
    {
        var limiter = Limiter();
        Offer(limiter, 100);
        Assert.Empty(_reports); // the interval has not passed yet
        _clock.Advance(TimeSpan.FromSeconds(10));
        Offer(limiter, 100);
        Assert.Equal(["dropped 95 log lines over the rate limit of 10 lines/s (burst 5); 95 dropped since start"], _reports);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Offer(limiter, 100);
        Assert.Single(_reports); // at most one report per interval
        Flush(limiter);
        Assert.Equal(2, _reports.Count);
        Assert.StartsWith("dropped 190 log lines", _reports[1], StringComparison.Ordinal);
        Flush(limiter);
        Assert.Equal(2, _reports.Count); // nothing new dropped: no report
    }

    [Theory]
    [InlineData("short", 10, 0, "short")]
    [InlineData("0123456789abc", 10, 0, "0123456789…[truncated 3 bytes]")]
    [InlineData("0123456789", 10, 7, "0123456789…[truncated 7 bytes]")]
    [InlineData("ééééé", 5, 0, "éé…[truncated 6 bytes]")] // never splits a UTF-8 character
    public void Long_lines_are_cut_with_a_marker(string line, int max, long alreadyCut, string expected) =>
        Assert.Equal(expected, LogRateLimiter.Cut(line, max, alreadyCut));

    [Fact]
    public void Limits_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogRateLimiter(new LogLimits { LinesPerSecond = 0 }, _clock));
}
