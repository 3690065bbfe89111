using System.Text;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;
using AtymSecure.Runtime.Permissions;
using AtymSecure.Runtime.Storage;

namespace AtymSecure.Runtime.DeviceApi;

/// <summary>Thrown inside a host function to end the guest (proc_exit, stop request); never seen by callers.</summary>
internal sealed class GuestUnwindException(string message) : Exception(message)
{
    public GuestUnwindException() : this("guest unwound") { }
    public GuestUnwindException(string message, Exception inner) : this(message) => _ = inner;
}

/// <summary>
/// What the host functions of one container run see: its identity, grants, variables, blobs and the
/// device services, plus the per-run state (exit code, subscriptions, stdout line buffers). One per run.
/// </summary>
public sealed class ContainerContext
{
    private readonly StringBuilder[] _lineBuffers = [new(), new()];
    private readonly long[] _lineCut = [0, 0];
    private LogRateLimiter? _limiter;
    private readonly List<Subscription> _subscriptions = [];
    private IKeyValueStore? _kv;

    public ContainerContext(string name, GrantedPermissions grants, IReadOnlyDictionary<string, string> variables, BlobSet blobs, DeviceServices services)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Grants = grants ?? throw new ArgumentNullException(nameof(grants));
        Variables = variables ?? throw new ArgumentNullException(nameof(variables));
        Blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        Services = services ?? throw new ArgumentNullException(nameof(services));
        StartedAt = services.Uptime;
    }

    public string Name { get; }

    public GrantedPermissions Grants { get; }

    public IReadOnlyDictionary<string, string> Variables { get; }

    public BlobSet Blobs { get; }

    public DeviceServices Services { get; }

    public TimeSpan StartedAt { get; }

    /// <summary>Set by proc_exit; the run ends with this code.</summary>
    public int? ExitCode { get; internal set; }

    /// <summary>Called at every point where the guest gives the CPU back (sleep, yield, poll): refuel, probes, stop.</summary>
    internal Action SchedulingPoint { get; set; } = () => { };

    /// <summary>Cancelled when the runtime stops the container; sleeps end at once.</summary>
    internal CancellationToken Stopping { get; set; }

    /// <summary>This run's log budget (device default unless set from the container's config).</summary>
    public LogLimits? LogLimits { get; init; }

    private LogLimits Limits => LogLimits ?? Services.LogLimits;

    private LogRateLimiter Limiter => _limiter ??= new LogRateLimiter(Limits, Services.Clock);

    internal IKeyValueStore Kv => _kv ??= Services.KeyValueStores.For(Name);

    internal IReadOnlyList<Subscription> Subscriptions => _subscriptions;

    internal void AddSubscription(Subscription s) => _subscriptions.Add(s);

    public void Log(LogLevel level, string source, string message) =>
        Services.Log.Write(new LogRecord(Services.Uptime, Name, level, source, message));

    /// <summary>
    /// A line the guest wrote (device API log, stdout, stderr): through the container's rate limiter, cut to the line
    /// limit with a marker (<paramref name="alreadyCut"/>: bytes the caller did not even read).
    /// </summary>
    internal void GuestLog(LogLevel level, string source, string message, long alreadyCut = 0)
    {
        if (!Limiter.TryAdmit(out var report)) return;
        if (report is not null) Log(LogLevel.Warn, LogRateLimiter.ReportSource, report);
        Log(level, source, LogRateLimiter.Cut(message, Limits.MaxLineBytes, alreadyCut));
    }

    /// <summary>Lines dropped by this run's rate limit so far.</summary>
    public long DroppedLogLines => _limiter?.DroppedTotal ?? 0;

    /// <summary>Most bytes of one guest log line read out of guest memory (the rest is counted, not read).</summary>
    internal int MaxLineBytes => Limits.MaxLineBytes;

    /// <summary>Splits stdout (fd 1) / stderr (fd 2) bytes into log lines; a line is buffered up to the line limit, the rest counted.</summary>
    internal void WriteStream(int fd, ReadOnlySpan<byte> bytes)
    {
        var buffer = _lineBuffers[fd - 1];
        foreach (var ch in Encoding.UTF8.GetString(bytes))
        {
            if (ch == '\n') FlushLine(fd);
            else if (buffer.Length < Limits.MaxLineBytes) buffer.Append(ch);
            else _lineCut[fd - 1] += Encoding.UTF8.GetByteCount([ch]);
        }
    }

    internal void FlushStreams()
    {
        FlushLine(1);
        FlushLine(2);
    }

    private void FlushLine(int fd)
    {
        var buffer = _lineBuffers[fd - 1];
        if (buffer.Length == 0) return;
        GuestLog(fd == 1 ? LogLevel.Info : LogLevel.Error, fd == 1 ? "stdout" : "stderr", buffer.ToString(), _lineCut[fd - 1]);
        buffer.Clear();
        _lineCut[fd - 1] = 0;
    }

    /// <summary>Drops the run's subscriptions (the container stopped or restarts).</summary>
    internal void Release()
    {
        FlushStreams();
        if (_limiter?.Flush() is { } report) Log(LogLevel.Warn, LogRateLimiter.ReportSource, report);
        foreach (var s in _subscriptions) s.Dispose();
        _subscriptions.Clear();
    }
}
