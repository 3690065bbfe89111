namespace AtymSecure.Runtime.Logging;

/// <summary>Writes every record to each of several sinks (the device process: console and device.log).</summary>
public sealed class TeeLogSink(params ILogSink[] sinks) : ILogSink
{
    public void Write(LogRecord record)
    {
        foreach (var s in sinks) s.Write(record);
    }
}
