using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.DeviceAgent;

/// <summary>The agent's own log lines (source <c>device</c>), on the device's uptime like every other record.</summary>
internal sealed class DeviceLogWriter(DeviceServices services)
{
    public const string Source = "device";

    public void Write(string container, LogLevel level, string message) =>
        services.Log.Write(new LogRecord(services.Uptime, container, level, Source, message));
}
