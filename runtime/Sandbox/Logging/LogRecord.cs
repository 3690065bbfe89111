namespace AtymSecure.Runtime.Logging;

public enum LogLevel
{
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

/// <summary>One log line from a container (device API log, stdout/stderr) or from the runtime about it.</summary>
public sealed record LogRecord(TimeSpan At, string Container, LogLevel Level, string Source, string Message)
{
    public override string ToString() => $"[{At.TotalMilliseconds,10:F1} ms] {Container} {Level.ToString().ToLowerInvariant()} ({Source}): {Message}";
}

/// <summary>Where log records go. Implementations must be thread-safe: every container logs from its own thread.</summary>
public interface ILogSink
{
    void Write(LogRecord record);
}

/// <summary>Keeps the last <see cref="Capacity"/> records in memory (device status, tests).</summary>
public sealed class MemoryLogSink : ILogSink
{
    private readonly Queue<LogRecord> _records = new();
    private readonly Lock _lock = new();

    public MemoryLogSink(int capacity = 10_000) => Capacity = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public int Capacity { get; }

    public void Write(LogRecord record)
    {
        lock (_lock)
        {
            if (_records.Count == Capacity) _records.Dequeue();
            _records.Enqueue(record);
        }
    }

    public IReadOnlyList<LogRecord> Snapshot()
    {
        lock (_lock) return [.. _records];
    }

    public IReadOnlyList<LogRecord> For(string container) => [.. Snapshot().Where(r => r.Container == container)];
}

/// <summary>Writes records as lines to a <see cref="TextWriter"/> (the device process's console).</summary>
public sealed class TextLogSink(TextWriter writer) : ILogSink
{
    private readonly Lock _lock = new();

    public void Write(LogRecord record)
    {
        lock (_lock) writer.WriteLine(record.ToString());
    }
}
