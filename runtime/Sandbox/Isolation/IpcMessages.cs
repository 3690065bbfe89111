namespace AtymSecure.Runtime.Isolation;

/// <summary>Frame types of format v1 (docs/container-ipc.md). 0x01-0x3F: agent to child; 0x41-0x7F: child to agent.</summary>
public enum FrameType : byte
{
    Start = 0x01,
    Reply = 0x02,
    Stop = 0x03,
    Pause = 0x04,
    Resume = 0x05,
    Probe = 0x06,

    Call = 0x41,
    ProbeResult = 0x42,
    Ended = 0x43,
    Heartbeat = 0x44,
}

/// <summary>Device API operations a child may call (the op byte of a <see cref="FrameType.Call"/>).</summary>
public enum CallOp : byte
{
    Uptime = 1,
    Sleep = 2,
    GuestLog = 3,
    SensorRead = 4,
    GpioRead = 5,
    GpioWrite = 6,
    KvGet = 7,
    KvSet = 8,
    Publish = 9,
    Subscribe = 10,
    Receive = 11,
    BlobSize = 12,
    BlobRead = 13,
}

/// <summary>One decoded frame of either direction.</summary>
public abstract record IpcMessage
{
    /// <summary>Correlation id: the call a reply answers, the probe a result answers; 0 when unused.</summary>
    public uint Id { get; init; }
}

/// <summary>
/// A device API call: one layout for every op (unused fields zero or empty), so one decoder checks every call.
/// <see cref="Text1"/>: a name, topic, filter or log source (at most <see cref="IpcLimits.MaxNameBytes"/>);
/// <see cref="Text2"/>: a log line; <see cref="Data1"/>/<see cref="Data2"/>: a key and value, or a payload.
/// </summary>
public sealed record CallMessage(CallOp Op, int Int1, int Int2, long Number, string Text1, string Text2, byte[] Data1, byte[] Data2) : IpcMessage
{
    public static CallMessage Of(CallOp op, int int1 = 0, int int2 = 0, long number = 0, string text1 = "", string text2 = "", byte[]? data1 = null, byte[]? data2 = null) =>
        new(op, int1, int2, number, text1, text2, data1 ?? [], data2 ?? []);

    public bool Equals(CallMessage? other) =>
        other is not null && Id == other.Id && Op == other.Op && Int1 == other.Int1 && Int2 == other.Int2 && Number == other.Number &&
        Text1 == other.Text1 && Text2 == other.Text2 && Data1.AsSpan().SequenceEqual(other.Data1) && Data2.AsSpan().SequenceEqual(other.Data2);

    public override int GetHashCode() => HashCode.Combine(Id, Op, Int1, Int2, Number, Text1, Text2, Data1.Length);
}

/// <summary>The agent's answer to a call: the device API return code, a number (uptime ticks, a sensor value's bits), a text (a topic) and bytes.</summary>
public sealed record ReplyMessage(int Code, long Number, string Text, byte[] Data) : IpcMessage
{
    public bool Equals(ReplyMessage? other) =>
        other is not null && Id == other.Id && Code == other.Code && Number == other.Number && Text == other.Text && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Id, Code, Number, Text, Data.Length);
}

/// <summary>The run to start: <see cref="Spec"/> is the UTF-8 JSON of <see cref="StartSpec"/>, <see cref="Code"/> the verified artifact bytes.</summary>
public sealed record StartMessage(byte[] Spec, byte[] Code) : IpcMessage
{
    public bool Equals(StartMessage? other) =>
        other is not null && Id == other.Id && Spec.AsSpan().SequenceEqual(other.Spec) && Code.AsSpan().SequenceEqual(other.Code);

    public override int GetHashCode() => HashCode.Combine(Id, Spec.Length, Code.Length);
}

/// <summary>Stop, pause or resume the run; <see cref="FrameType.Probe"/> asks for a health probe with <see cref="IpcMessage.Id"/>.</summary>
public sealed record ControlMessage(FrameType Type) : IpcMessage;

/// <summary>The answer of the probe with <see cref="IpcMessage.Id"/>.</summary>
public sealed record ProbeResultMessage(bool Passed, string Detail) : IpcMessage;

/// <summary>How the run ended in the child: an <see cref="Execution.OutcomeKind"/> value, the exit code if any, a message.</summary>
public sealed record EndedMessage(byte Kind, int? ExitCode, string Message) : IpcMessage;

/// <summary>The child is alive and its container thread is making progress.</summary>
public sealed record HeartbeatMessage : IpcMessage;

/// <summary>Size limits of format v1. What a child sends is bounded tightly; what the agent sends carries the code.</summary>
public static class IpcLimits
{
    public const byte Version = 1;

    /// <summary>Bytes after the length prefix: version, type, id.</summary>
    public const int HeaderBytes = 6;

    /// <summary>Names, topics, filters and log sources (the device API caps them at 128 bytes).</summary>
    public const int MaxNameBytes = 128;

    /// <summary>A log line (the agent cuts it to the container's line limit anyway).</summary>
    public const int MaxTextBytes = 16 * 1024;

    /// <summary>A key, value or payload (kv_set values up to 1 MiB, as in-process).</summary>
    public const int MaxDataBytes = 1024 * 1024;

    /// <summary>Largest frame a child may send: every field at its limit fits.</summary>
    public const int MaxChildFrameBytes = HeaderBytes + 1 + 4 + 4 + 8 + 2 + MaxNameBytes + 2 + MaxTextBytes + 4 + MaxDataBytes + 4 + MaxDataBytes;

    /// <summary>Largest frame the agent sends: a start frame with the largest artifact, or a blob chunk.</summary>
    public const int MaxAgentFrameBytes = 80 * 1024 * 1024;
}
