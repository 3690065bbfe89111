using System.Text;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.Runtime.Isolation;

/// <summary>
/// The device API inside a container process: every call becomes a call frame to the agent and waits for its reply
/// (log lines are sent without one; order on the pipe keeps them in sequence). Sleeps happen in the agent, on the
/// device clock, so a container sleeps on the same time in both modes and a stop ends the sleep there. Only the
/// random generator is local (the OS's, as the agent's default). Checks here are for size only — the agent checks
/// everything again.
/// </summary>
internal sealed class RemoteDeviceCalls(AgentChannel channel, DateTimeOffset realtimeOrigin) : IDeviceCalls
{
    public TimeSpan Uptime => TimeSpan.FromTicks(channel.Call(CallMessage.Of(CallOp.Uptime)).Number);

    public DateTimeOffset RealtimeOrigin => realtimeOrigin;

    public void Sleep(TimeSpan delay, CancellationToken stopping)
    {
        stopping.ThrowIfCancellationRequested();
        var ticks = Math.Clamp(delay.Ticks, 0, DeviceCallServer.MaxSleep.Ticks);
        if (channel.Call(CallMessage.Of(CallOp.Sleep, number: ticks)).Code == DeviceCallServer.SleepStopped)
            throw new OperationCanceledException("stopped while sleeping", stopping);
    }

    public void Random(Span<byte> buffer) => System.Security.Cryptography.RandomNumberGenerator.Fill(buffer);

    public void GuestLog(LogLevel level, string source, string text, long alreadyCut)
    {
        var fitted = IpcText.Fit(text, IpcLimits.MaxTextBytes, out var cut);
        channel.Send(CallMessage.Of(CallOp.GuestLog, int1: (int)level, number: Math.Max(0, alreadyCut) + cut, text1: source, text2: fitted));
    }

    public void Log(LogLevel level, string source, string message) => GuestLog(level, DeviceCallServer.ContainerHostSource, message, 0);

    public int SensorRead(string name, out double value)
    {
        var reply = channel.Call(CallMessage.Of(CallOp.SensorRead, text1: name));
        value = BitConverter.Int64BitsToDouble(reply.Number);
        return reply.Code;
    }

    public int GpioRead(int pin) => channel.Call(CallMessage.Of(CallOp.GpioRead, int1: pin)).Code;

    public int GpioWrite(int pin, int value) => channel.Call(CallMessage.Of(CallOp.GpioWrite, int1: pin, int2: value)).Code;

    public byte[]? KvGet(ReadOnlySpan<byte> key)
    {
        var reply = channel.Call(CallMessage.Of(CallOp.KvGet, data1: key.ToArray()));
        return reply.Code == 0 ? reply.Data : null;
    }

    public int KvSet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        channel.Call(CallMessage.Of(CallOp.KvSet, data1: key.ToArray(), data2: value.ToArray())).Code;

    public int Publish(string topic, ReadOnlySpan<byte> payload) =>
        channel.Call(CallMessage.Of(CallOp.Publish, text1: topic, data1: payload.ToArray())).Code;

    public int Subscribe(string filter) => channel.Call(CallMessage.Of(CallOp.Subscribe, text1: filter)).Code;

    public ReceivedMessage Receive(int topicCap, int payloadCap)
    {
        var reply = channel.Call(CallMessage.Of(CallOp.Receive, int1: topicCap, int2: payloadCap));
        return new ReceivedMessage(reply.Code, reply.Text, reply.Data);
    }

    public int BlobSize(string name) => channel.Call(CallMessage.Of(CallOp.BlobSize, text1: name)).Code;

    public BlobChunk BlobRead(string name, int offset, int length)
    {
        var reply = channel.Call(CallMessage.Of(CallOp.BlobRead, text1: name, int1: offset, int2: length));
        return new BlobChunk(reply.Code, reply.Data);
    }

    /// <summary>The agent releases the run's subscriptions and flushes its log limiter when the process ends.</summary>
    public void Release()
    {
    }
}

/// <summary>Cuts text to what a frame field holds (whole UTF-8 characters), counting what was cut.</summary>
internal static class IpcText
{
    public static string Fit(string text, int maxBytes, out long cut)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        cut = 0;
        if (bytes <= maxBytes) return text;
        var kept = new StringBuilder();
        var used = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > maxBytes) break;
            kept.Append(rune.ToString());
            used += rune.Utf8SequenceLength;
        }
        cut = bytes - used;
        return kept.ToString();
    }

    public static string Fit(string text, int maxBytes) => Fit(text, maxBytes, out _);
}
