using System.Text;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Permissions;

namespace AtymSecure.Runtime.DeviceApi;

/// <summary>Thrown inside a host function to end the guest (proc_exit, stop request); never seen by callers.</summary>
internal sealed class GuestUnwindException(string message) : Exception(message)
{
    public GuestUnwindException() : this("guest unwound") { }
    public GuestUnwindException(string message, Exception inner) : this(message) => _ = inner;
}

/// <summary>
/// What the host functions of one container run see: its identity, grants (for linking), variables, the device
/// calls (<see cref="IDeviceCalls"/>: local services in-process, the IPC channel in a container process), plus the
/// per-run state (exit code, stdout line buffers). One per run.
/// </summary>
public sealed class ContainerContext
{
    private readonly StringBuilder[] _lineBuffers = [new(), new()];
    private readonly long[] _lineCut = [0, 0];

    /// <summary>A context on the device's own services (in-process runs, tools, the bench).</summary>
    public ContainerContext(string name, GrantedPermissions grants, IReadOnlyDictionary<string, string> variables, BlobSet blobs, DeviceServices services, LogLimits? logLimits = null)
        : this(name, grants, variables, new LocalDeviceCalls(name, grants, blobs, services, logLimits), (logLimits ?? services?.LogLimits ?? LogLimits.Default).MaxLineBytes)
    {
    }

    internal ContainerContext(string name, GrantedPermissions grants, IReadOnlyDictionary<string, string> variables, IDeviceCalls calls, int maxLineBytes)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Grants = grants ?? throw new ArgumentNullException(nameof(grants));
        Variables = variables ?? throw new ArgumentNullException(nameof(variables));
        Calls = calls ?? throw new ArgumentNullException(nameof(calls));
        MaxLineBytes = maxLineBytes > 0 ? maxLineBytes : throw new ArgumentOutOfRangeException(nameof(maxLineBytes));
        StartedAt = calls.Uptime;
    }

    public string Name { get; }

    public GrantedPermissions Grants { get; }

    public IReadOnlyDictionary<string, string> Variables { get; }

    public TimeSpan StartedAt { get; }

    internal IDeviceCalls Calls { get; }

    /// <summary>Set by proc_exit; the run ends with this code.</summary>
    public int? ExitCode { get; internal set; }

    /// <summary>Called at every point where the guest gives the CPU back (sleep, yield, poll): refuel, probes, stop.</summary>
    internal Action SchedulingPoint { get; set; } = () => { };

    /// <summary>Cancelled when the runtime stops the container; sleeps end at once.</summary>
    internal CancellationToken Stopping { get; set; }

    /// <summary>Most bytes of one guest log line read out of guest memory (the rest is counted, not read).</summary>
    internal int MaxLineBytes { get; }

    public void Log(LogLevel level, string source, string message) => Calls.Log(level, source, message);

    /// <summary>A line the guest wrote (device API log, stdout, stderr); <paramref name="alreadyCut"/>: bytes not even read.</summary>
    internal void GuestLog(LogLevel level, string source, string message, long alreadyCut = 0) => Calls.GuestLog(level, source, message, alreadyCut);

    /// <summary>Splits stdout (fd 1) / stderr (fd 2) bytes into log lines; a line is buffered up to the line limit, the rest counted.</summary>
    internal void WriteStream(int fd, ReadOnlySpan<byte> bytes)
    {
        var buffer = _lineBuffers[fd - 1];
        foreach (var ch in Encoding.UTF8.GetString(bytes))
        {
            if (ch == '\n') FlushLine(fd);
            else if (buffer.Length < MaxLineBytes) buffer.Append(ch);
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

    /// <summary>The run ended: flush the stream buffers, then the device calls (log report, subscriptions).</summary>
    internal void Release()
    {
        FlushStreams();
        Calls.Release();
    }
}
