using System.Buffers.Binary;
using System.Text;

namespace AtymSecure.Runtime.Isolation;

/// <summary>
/// Frame format v1 (docs/container-ipc.md): <c>u32 length</c> (little-endian, of what follows), <c>u8 version</c>,
/// <c>u8 type</c>, <c>u32 id</c>, then the body of the type. Strings are <c>u16 length</c> + strict UTF-8, byte fields
/// <c>u32 length</c> + bytes, integers little-endian. The agent decodes what a child sends as hostile input: the length is
/// checked before anything is read, every field against its limit, and a frame must be consumed exactly.
/// </summary>
public static class FrameCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The whole frame, length prefix included.</summary>
    public static byte[] Encode(IpcMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var w = new Writer();
        w.U32(0); // length, patched below
        w.U8(IpcLimits.Version);
        w.U8((byte)TypeOf(message));
        w.U32(message.Id);
        switch (message)
        {
            case StartMessage m: w.Bytes(m.Spec); w.Bytes(m.Code); break;
            case ReplyMessage m: w.I32(m.Code); w.I64(m.Number); w.Text(m.Text); w.Bytes(m.Data); break;
            case ControlMessage: break;
            case CallMessage m:
                w.U8((byte)m.Op); w.I32(m.Int1); w.I32(m.Int2); w.I64(m.Number); w.Text(m.Text1); w.Text(m.Text2); w.Bytes(m.Data1); w.Bytes(m.Data2);
                break;
            case ProbeResultMessage m: w.U8(m.Passed ? (byte)1 : (byte)0); w.Text(m.Detail); break;
            case EndedMessage m: w.U8(m.Kind); w.U8(m.ExitCode is null ? (byte)0 : (byte)1); w.I32(m.ExitCode ?? 0); w.Text(m.Message); break;
            case HeartbeatMessage: break;
            default: throw new ArgumentException($"no frame type for {message.GetType().Name}", nameof(message));
        }
        var bytes = w.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)(bytes.Length - 4));
        return bytes;
    }

    public static FrameType TypeOf(IpcMessage message) => message switch
    {
        StartMessage => FrameType.Start,
        ReplyMessage => FrameType.Reply,
        ControlMessage c => c.Type is FrameType.Stop or FrameType.Pause or FrameType.Resume or FrameType.Probe
            ? c.Type
            : throw new ArgumentException($"{c.Type} is not a control frame", nameof(message)),
        CallMessage => FrameType.Call,
        ProbeResultMessage => FrameType.ProbeResult,
        EndedMessage => FrameType.Ended,
        HeartbeatMessage => FrameType.Heartbeat,
        _ => throw new ArgumentException($"no frame type for {message.GetType().Name}", nameof(message)),
    };

    /// <summary>
    /// Reads one frame's bytes after its length prefix; null at a clean end of stream (between frames).
    /// </summary>
    /// <exception cref="IpcProtocolException">Length above <paramref name="maxFrameBytes"/> or below the header, or the stream ends inside a frame.</exception>
    public static byte[]? ReadFrame(Stream stream, int maxFrameBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> prefix = stackalloc byte[4];
        var got = ReadAtMost(stream, prefix);
        if (got == 0) return null;
        if (got < 4) throw new IpcProtocolException(IpcProblemCodes.Truncated, "length", $"stream ended after {got} of the 4 length bytes");
        var length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        if (length > (uint)maxFrameBytes)
            throw new IpcProtocolException(IpcProblemCodes.FrameTooLarge, "length", $"frame of {length} bytes is above the limit of {maxFrameBytes}");
        if (length < IpcLimits.HeaderBytes)
            throw new IpcProtocolException(IpcProblemCodes.FrameTooShort, "length", $"frame of {length} bytes is shorter than the {IpcLimits.HeaderBytes}-byte header");
        var frame = new byte[length];
        var read = ReadAtMost(stream, frame);
        if (read < frame.Length) throw new IpcProtocolException(IpcProblemCodes.Truncated, "body", $"stream ended after {read} of {length} frame bytes");
        return frame;
    }

    /// <summary>Decodes a frame a child sent (the agent's side: hostile bytes).</summary>
    public static IpcMessage DecodeFromChild(ReadOnlySpan<byte> frame) => Decode(frame, fromChild: true);

    /// <summary>Decodes a frame the agent sent (the child's side).</summary>
    public static IpcMessage DecodeFromAgent(ReadOnlySpan<byte> frame) => Decode(frame, fromChild: false);

    private static IpcMessage Decode(ReadOnlySpan<byte> frame, bool fromChild)
    {
        var r = new Reader(frame);
        var version = r.U8("version");
        if (version != IpcLimits.Version)
            throw new IpcProtocolException(IpcProblemCodes.UnsupportedVersion, "version", $"frame version {version}; this side speaks version {IpcLimits.Version}");
        var rawType = r.U8("type");
        var id = r.U32("id");
        if (!Enum.IsDefined((FrameType)rawType))
            throw new IpcProtocolException(IpcProblemCodes.UnknownType, "type", $"unknown frame type 0x{rawType:x2}");
        var type = (FrameType)rawType;
        if ((rawType >= 0x40) != fromChild)
            throw new IpcProtocolException(IpcProblemCodes.WrongDirection, "type", $"frame type {type} is not sent by the {(fromChild ? "child" : "agent")}");
        IpcMessage message = type switch
        {
            FrameType.Start => new StartMessage(r.Bytes("spec", IpcLimits.MaxAgentFrameBytes), r.Bytes("code", IpcLimits.MaxAgentFrameBytes)),
            FrameType.Reply => new ReplyMessage(r.I32("code"), r.I64("number"), r.Text("text", IpcLimits.MaxTextBytes), r.Bytes("data", IpcLimits.MaxAgentFrameBytes)),
            FrameType.Stop or FrameType.Pause or FrameType.Resume or FrameType.Probe => new ControlMessage(type),
            FrameType.Call => DecodeCall(ref r),
            FrameType.ProbeResult => new ProbeResultMessage(r.Bool("passed"), r.Text("detail", IpcLimits.MaxTextBytes)),
            FrameType.Ended => DecodeEnded(ref r),
            FrameType.Heartbeat => new HeartbeatMessage(),
            _ => throw new IpcProtocolException(IpcProblemCodes.UnknownType, "type", $"unknown frame type 0x{rawType:x2}"),
        };
        if (r.Remaining > 0)
            throw new IpcProtocolException(IpcProblemCodes.TrailingBytes, "body", $"{r.Remaining} bytes after the end of a {type} frame");
        return message with { Id = id };
    }

    private static CallMessage DecodeCall(ref Reader r)
    {
        var op = r.U8("op");
        if (!Enum.IsDefined((CallOp)op)) throw new IpcProtocolException(IpcProblemCodes.UnknownOperation, "op", $"unknown device API operation {op}");
        return new CallMessage((CallOp)op, r.I32("int1"), r.I32("int2"), r.I64("number"),
            r.Text("text1", IpcLimits.MaxNameBytes), r.Text("text2", IpcLimits.MaxTextBytes),
            r.Bytes("data1", IpcLimits.MaxDataBytes), r.Bytes("data2", IpcLimits.MaxDataBytes));
    }

    private static EndedMessage DecodeEnded(ref Reader r)
    {
        var kind = r.U8("kind");
        if (!Enum.IsDefined((Execution.OutcomeKind)kind))
            throw new IpcProtocolException(IpcProblemCodes.InvalidValue, "kind", $"unknown outcome kind {kind}");
        var hasExit = r.Bool("hasExitCode");
        var exit = r.I32("exitCode");
        return new EndedMessage(kind, hasExit ? exit : null, r.Text("message", IpcLimits.MaxTextBytes));
    }

    private static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly int Remaining => _bytes.Length - _at;

        public byte U8(string field) => Take(field, 1)[0];

        public bool Bool(string field) => U8(field) switch
        {
            0 => false,
            1 => true,
            var b => throw new IpcProtocolException(IpcProblemCodes.InvalidValue, field, $"boolean byte {b} is neither 0 nor 1"),
        };

        public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(field, 4));

        public int I32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(field, 4));

        public long I64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(field, 8));

        public string Text(string field, int max)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(Take(field, 2));
            if (length > max) throw new IpcProtocolException(IpcProblemCodes.FieldTooLarge, field, $"{length} bytes of text, above the limit of {max}");
            var bytes = Take(field, length);
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw new IpcProtocolException(IpcProblemCodes.InvalidUtf8, field, "text is not valid UTF-8");
            }
        }

        public byte[] Bytes(string field, int max)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(Take(field, 4));
            if (length > (uint)max) throw new IpcProtocolException(IpcProblemCodes.FieldTooLarge, field, $"{length} bytes, above the limit of {max}");
            return Take(field, (int)length).ToArray();
        }

        private ReadOnlySpan<byte> Take(string field, int count)
        {
            if (count > Remaining)
                throw new IpcProtocolException(IpcProblemCodes.Truncated, field, $"needs {count} bytes, {Remaining} left in the frame");
            var span = _bytes.Slice(_at, count);
            _at += count;
            return span;
        }
    }

    private sealed class Writer
    {
        private readonly MemoryStream _out = new();

        public void U8(byte v) => _out.WriteByte(v);

        public void U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); _out.Write(b); }

        public void I32(int v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); _out.Write(b); }

        public void I64(long v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); _out.Write(b); }

        public void Text(string s)
        {
            var bytes = StrictUtf8.GetBytes(s);
            if (bytes.Length > ushort.MaxValue) throw new ArgumentException($"text of {bytes.Length} bytes does not fit a frame string", nameof(s));
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)bytes.Length);
            _out.Write(b);
            _out.Write(bytes);
        }

        public void Bytes(byte[] bytes)
        {
            U32((uint)bytes.Length);
            _out.Write(bytes);
        }

        public byte[] ToArray() => _out.ToArray();
    }
}
