using AtymSecure.Runtime.Logging;

namespace AtymSecure.Runtime.DeviceApi;

/// <summary>
/// The device API of one container run after guest memory has been read: what <see cref="AtymFunctions"/> and
/// <see cref="WasiFunctions"/> ask the device for. In-process the run talks to <see cref="LocalDeviceCalls"/>
/// directly; in process mode the child's <c>RemoteDeviceCalls</c> sends each call over the IPC protocol
/// (docs/container-ipc.md) and the agent answers it with the same <see cref="LocalDeviceCalls"/>, so grants,
/// log limits and quotas are enforced in one place, on the agent side, whatever the child claims.
/// Return codes are the device API's (docs/device-api.md): 0 or a length on success, -1 denied/absent, -2 unavailable/too small.
/// </summary>
internal interface IDeviceCalls
{
    /// <summary>Device uptime (the clock of clock_ms, WASI clocks and probe timeouts).</summary>
    TimeSpan Uptime { get; }

    /// <summary>Wall-clock origin for WASI's realtime clock.</summary>
    DateTimeOffset RealtimeOrigin { get; }

    /// <summary>Waits on the device clock; throws <see cref="OperationCanceledException"/> when the run is stopped.</summary>
    void Sleep(TimeSpan delay, CancellationToken stopping);

    void Random(Span<byte> buffer);

    /// <summary>A line the guest wrote (log, stdout, stderr): rate limited and cut to the line limit.</summary>
    void GuestLog(LogLevel level, string source, string text, long alreadyCut);

    /// <summary>A line the runtime writes about the container (not rate limited).</summary>
    void Log(LogLevel level, string source, string message);

    int SensorRead(string name, out double value);

    int GpioRead(int pin);

    int GpioWrite(int pin, int value);

    /// <summary>The value, or null when absent.</summary>
    byte[]? KvGet(ReadOnlySpan<byte> key);

    int KvSet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    int Publish(string topic, ReadOnlySpan<byte> payload);

    int Subscribe(string filter);

    /// <summary>Next message of the run's subscriptions that fits the caps; it stays queued when it does not fit.</summary>
    ReceivedMessage Receive(int topicCap, int payloadCap);

    int BlobSize(string name);

    /// <summary>Up to <paramref name="length"/> bytes of a blob from <paramref name="offset"/>; code -1 when denied.</summary>
    BlobChunk BlobRead(string name, int offset, int length);

    /// <summary>The run ended: flush the log limiter's report, drop subscriptions.</summary>
    void Release();
}

/// <summary>What <c>receive</c> got: <see cref="Code"/> is the payload length, -1 (nothing) or -2 (buffer too small).</summary>
internal readonly record struct ReceivedMessage(int Code, string Topic, byte[] Payload)
{
    public static ReceivedMessage None => new(-1, "", []);

    public static ReceivedMessage TooSmall => new(-2, "", []);
}

/// <summary>What <c>blob_read</c> got: <see cref="Code"/> is the byte count or -1 (denied).</summary>
internal readonly record struct BlobChunk(int Code, ReadOnlyMemory<byte> Bytes);
