using System.Text;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;

namespace AtymSecure.DeviceAgent.Tracing;

/// <summary>
/// A telemetry tap (<c>atym device run --trace FILTER</c>): what containers publish on topics matching the filter
/// is logged under the publisher's name with source <c>bus</c>, so their work is visible from outside. The tap
/// is an ordinary bus subscriber with a bounded queue; when it falls behind, the oldest messages are dropped and
/// the count is logged.
/// </summary>
internal sealed class BusTrace : IDisposable
{
    private const string Subscriber = "device-trace";
    private readonly Subscription _tap;
    private readonly ILogSink _log;
    private readonly DeviceLogWriter _device;
    private long _dropped;

    public BusTrace(DeviceServices services, string topicFilter, DeviceLogWriter device)
    {
        ArgumentNullException.ThrowIfNull(services);
        _tap = services.Bus.Subscribe(Subscriber, topicFilter, capacity: 1024);
        _log = services.Log;
        _device = device;
    }

    /// <summary>Logs every message received since the last call.</summary>
    public void Drain()
    {
        while (_tap.TryReceive(out var m))
            _log.Write(new LogRecord(m.At, m.Publisher, LogLevel.Info, "bus", $"{m.Topic} {Encoding.UTF8.GetString(m.Payload)}"));
        if (_tap.Dropped > _dropped)
        {
            _device.Write(DeviceLogWriter.Source, LogLevel.Warn, $"trace dropped {_tap.Dropped - _dropped} messages");
            _dropped = _tap.Dropped;
        }
    }

    public void Dispose() => _tap.Dispose();
}
