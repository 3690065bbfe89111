using AtymSecure.Formats.Container;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;
using AtymSecure.Runtime.Permissions;
using AtymSecure.Runtime.Storage;

namespace AtymSecure.Runtime.DeviceApi;

/// <summary>
/// The device API of one run, answered from the device's own services: every concrete sensor, pin, topic and blob
/// is checked against the grants here, every guest line goes through the run's <see cref="LogRateLimiter"/> and line
/// cut here, and the key-value quota is the store's. The one implementation both modes use: in-process the run calls
/// it directly; in process mode the agent calls it for each IPC call of the child (which is never trusted to check).
/// Not thread-safe: one per run, called from one thread (the container's, or the agent's pump of that child).
/// </summary>
internal sealed class LocalDeviceCalls : IDeviceCalls
{
    internal const int MaxKeyBytes = 256;
    internal const int MaxValueBytes = 1024 * 1024;
    internal const int MaxSubscriptions = 16;
    internal const int MaxLoggedDenials = 16;
    private readonly string _name;
    private readonly GrantedPermissions _grants;
    private readonly BlobSet _blobs;
    private readonly DeviceServices _services;
    private readonly LogLimits _limits;
    private readonly List<Subscription> _subscriptions = [];
    private readonly HashSet<string> _loggedDenials = new(StringComparer.Ordinal);
    private LogRateLimiter? _limiter;
    private IKeyValueStore? _kv;

    public LocalDeviceCalls(string name, GrantedPermissions grants, BlobSet blobs, DeviceServices services, LogLimits? limits)
    {
        _name = name ?? throw new ArgumentNullException(nameof(name));
        _grants = grants ?? throw new ArgumentNullException(nameof(grants));
        _blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _limits = limits ?? services.LogLimits;
    }

    public TimeSpan Uptime => _services.Uptime;

    public DateTimeOffset RealtimeOrigin => _services.RealtimeOrigin;

    /// <summary>Lines dropped by this run's rate limit so far.</summary>
    public long DroppedLogLines => _limiter?.DroppedTotal ?? 0;

    /// <summary>Most bytes of one guest log line kept.</summary>
    public int MaxLineBytes => _limits.MaxLineBytes;

    private LogRateLimiter Limiter => _limiter ??= new LogRateLimiter(_limits, _services.Clock);

    private IKeyValueStore Kv => _kv ??= _services.KeyValueStores.For(_name);

    public void Sleep(TimeSpan delay, CancellationToken stopping) => _services.Clock.Sleep(delay, stopping);

    public void Random(Span<byte> buffer) => _services.Random(buffer);

    public void Log(LogLevel level, string source, string message) =>
        _services.Log.Write(new LogRecord(_services.Uptime, _name, level, source, message));

    public void GuestLog(LogLevel level, string source, string text, long alreadyCut)
    {
        if (!Limiter.TryAdmit(out var report)) return;
        if (report is not null) Log(LogLevel.Warn, LogRateLimiter.ReportSource, report);
        Log(level, source, LogRateLimiter.Cut(text, _limits.MaxLineBytes, Math.Max(0, alreadyCut)));
    }

    public int SensorRead(string name, out double value)
    {
        value = 0;
        if (!_grants.AllowsSensor(name)) return NotGranted(CapabilityKind.Sensor, name);
        return _services.Sensors.TryRead(name, out value) ? 0 : DeviceApiCodes.Unavailable;
    }

    public int GpioRead(int pin) =>
        !_grants.AllowsGpio(pin) ? NotGranted(CapabilityKind.Gpio, pin.ToString(System.Globalization.CultureInfo.InvariantCulture))
        : pin < _services.Gpio.PinCount ? (_services.Gpio.Read(pin) ? 1 : 0) : DeviceApiCodes.Denied;

    public int GpioWrite(int pin, int value)
    {
        if (!_grants.AllowsGpio(pin)) return NotGranted(CapabilityKind.Gpio, pin.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (pin >= _services.Gpio.PinCount) return DeviceApiCodes.Denied;
        _services.Gpio.Write(pin, value != 0);
        return 0;
    }

    public byte[]? KvGet(ReadOnlySpan<byte> key) => key.Length > MaxKeyBytes ? null : Kv.Get(key);

    public int KvSet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (key.Length > MaxKeyBytes || value.Length > MaxValueBytes) return DeviceApiCodes.Denied;
        try
        {
            Kv.Set(key, value);
            return 0;
        }
        catch (KvQuotaException e)
        {
            Log(LogLevel.Warn, "kv", e.Message);
            return DeviceApiCodes.Denied;
        }
    }

    public int Publish(string topic, ReadOnlySpan<byte> payload)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(topic) > MessageBus.MaxTopicBytes || payload.Length > MessageBus.MaxPayloadBytes) return DeviceApiCodes.Denied;
        if (!_grants.AllowsPublish(topic)) return NotGranted(CapabilityKind.Publish, topic);
        _services.Bus.Publish(new BusMessage(topic, payload.ToArray(), _name, _services.Uptime));
        return 0;
    }

    public int Subscribe(string filter)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(filter) > MessageBus.MaxTopicBytes) return DeviceApiCodes.Denied;
        if (!_grants.AllowsSubscribe(filter)) return NotGranted(CapabilityKind.Subscribe, filter);
        if (_subscriptions.Count >= MaxSubscriptions) return DeviceApiCodes.Denied;
        if (_subscriptions.All(s => s.Filter != filter)) _subscriptions.Add(_services.Bus.Subscribe(_name, filter));
        return 0;
    }

    public ReceivedMessage Receive(int topicCap, int payloadCap)
    {
        foreach (var s in _subscriptions)
        {
            if (!s.TryPeek(out var m)) continue;
            var topicBytes = System.Text.Encoding.UTF8.GetByteCount(m.Topic);
            if ((uint)topicCap < (uint)topicBytes + 1 || (uint)payloadCap < (uint)m.Payload.Length) return ReceivedMessage.TooSmall;
            s.TryReceive(out _);
            return new ReceivedMessage(m.Payload.Length, m.Topic, m.Payload);
        }
        return ReceivedMessage.None;
    }

    public int BlobSize(string name) =>
        !_grants.AllowsBlob(name) ? NotGranted(CapabilityKind.Blob, name) : _blobs.TryGet(name, out var blob) ? blob.Length : DeviceApiCodes.Denied;

    public BlobChunk BlobRead(string name, int offset, int length)
    {
        if (!_grants.AllowsBlob(name)) return new(NotGranted(CapabilityKind.Blob, name), default);
        if (!_blobs.TryGet(name, out var blob) || offset < 0 || length < 0) return new(DeviceApiCodes.Denied, default);
        if (offset >= blob.Length) return new(0, default);
        var count = Math.Min(length, blob.Length - offset);
        return new(count, blob.Slice(offset, count));
    }

    /// <summary>
    /// A call the grants refuse: answered <c>-1</c> as any denial, and the first refusal of each concrete capability in
    /// this run is logged (source <c>permission</c>, at most <see cref="MaxLoggedDenials"/> distinct ones), so an operator
    /// sees what the container tried that its signed grants withhold without a guest being able to flood the log.
    /// </summary>
    private int NotGranted(CapabilityKind kind, string argument)
    {
        var capability = Capability.KindName(kind) + ":" + (argument.Length > 64 ? argument[..64] + "…" : argument);
        if (_loggedDenials.Count < MaxLoggedDenials && _loggedDenials.Add(capability))
            Log(LogLevel.Warn, "permission", $"denied {capability}: not granted to this container (grants: {(_grants.Capabilities.Count == 0 ? "none" : _grants.ToString())})" +
                (_loggedDenials.Count == MaxLoggedDenials ? $"; further denials of other capabilities are not logged" : ""));
        return DeviceApiCodes.Denied;
    }

    public void Release()
    {
        if (_limiter?.Flush() is { } report) Log(LogLevel.Warn, LogRateLimiter.ReportSource, report);
        foreach (var s in _subscriptions) s.Dispose();
        _subscriptions.Clear();
    }
}

/// <summary>The device API's shared return codes (docs/device-api.md).</summary>
internal static class DeviceApiCodes
{
    public const int Denied = -1;
    public const int Unavailable = -2;
    public const int TooSmall = -2;
}
