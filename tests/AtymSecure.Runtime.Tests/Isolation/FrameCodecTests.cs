using System.Text;
using AtymSecure.Runtime.Isolation;
using CsCheck;

namespace AtymSecure.Runtime.Tests.Isolation;

/// <summary>
/// Frame format v1 of the container IPC protocol: goldens (written independently of the codec, from the byte layout in
/// docs/container-ipc.md, and kept forever), negative goldens with their problem codes, and fuzzing of the decoder the
/// agent runs on what a container process sends (hostile bytes: only <see cref="IpcProtocolException"/> may come out).
/// </summary>
public sealed class FrameCodecTests
{
    private static byte[] Golden(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", "container-ipc", $"container-ipc-{name}.frame"));

    public static TheoryData<string, IpcMessage, bool> Goldens => new()
    {
        { "v1-call-kv-set", CallMessage.Of(CallOp.KvSet, data1: "count"u8.ToArray(), data2: [1, 0, 0, 0]) with { Id = 7 }, true },
        { "v1-call-guest-log", CallMessage.Of(CallOp.GuestLog, int1: 1, number: 3, text1: "stdout", text2: "h\u00e9llo"), true },
        { "v1-call-sleep", CallMessage.Of(CallOp.Sleep, number: 1_000_000) with { Id = 12 }, true },
        { "v1-ended-exit", new EndedMessage(0, 3, "proc_exit(3)"), true },
        { "v1-probe-result", new ProbeResultMessage(true, "probe returned 0") { Id = 2 }, true },
        { "v1-heartbeat", new HeartbeatMessage(), true },
        { "v1-reply-receive", new ReplyMessage(5, 0, "a/b", "hello"u8.ToArray()) { Id = 9 }, false },
        { "v1-control-probe", new ControlMessage(FrameType.Probe) { Id = 4 }, false },
        { "v1-start", new StartMessage("{\"x\":1}"u8.ToArray(), [0, (byte)'a', (byte)'s', (byte)'m', 1, 0, 0, 0]), false },
    };

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Golden_frames_decode_to_their_message_and_encode_byte_for_byte(string name, IpcMessage expected, bool fromChild)
    {
        var bytes = Golden(name);
        Assert.Equal(bytes, FrameCodec.Encode(expected));
        using var stream = new MemoryStream(bytes);
        var frame = FrameCodec.ReadFrame(stream, fromChild ? IpcLimits.MaxChildFrameBytes : IpcLimits.MaxAgentFrameBytes)!;
        Assert.Equal(expected, fromChild ? FrameCodec.DecodeFromChild(frame) : FrameCodec.DecodeFromAgent(frame));
        Assert.Null(FrameCodec.ReadFrame(stream, IpcLimits.MaxChildFrameBytes));
    }

    [Theory]
    [InlineData("v1-negative-frame-too-large", IpcProblemCodes.FrameTooLarge)]
    [InlineData("v1-negative-truncated", IpcProblemCodes.Truncated)]
    [InlineData("v1-negative-version-2", IpcProblemCodes.UnsupportedVersion)]
    [InlineData("v1-negative-unknown-operation", IpcProblemCodes.UnknownOperation)]
    [InlineData("v1-negative-trailing-bytes", IpcProblemCodes.TrailingBytes)]
    [InlineData("v1-negative-invalid-utf8", IpcProblemCodes.InvalidUtf8)]
    [InlineData("v1-negative-wrong-direction", IpcProblemCodes.WrongDirection)]
    [InlineData("v1-negative-name-too-long", IpcProblemCodes.FieldTooLarge)]
    [InlineData("v1-negative-unknown-type", IpcProblemCodes.UnknownType)]
    public void Negative_golden_frames_from_a_child_are_refused_with_their_code(string name, string code)
    {
        var e = Assert.Throws<IpcProtocolException>(() => DecodeChildStream(Golden(name)));
        Assert.Equal(code, e.Code);
        Assert.True(e.Has(code));
    }

    [Fact]
    public void A_frame_length_above_the_limit_is_refused_before_its_body_is_read()
    {
        // Only the 4 length bytes exist: the reader must refuse without waiting for (or allocating) 2 GiB.
        using var stream = new MemoryStream([0xFF, 0xFF, 0xFF, 0x7F]);
        var e = Assert.Throws<IpcProtocolException>(() => FrameCodec.ReadFrame(stream, IpcLimits.MaxChildFrameBytes));
        Assert.Equal(IpcProblemCodes.FrameTooLarge, e.Code);
        Assert.Equal(4, stream.Position);
    }

    [Fact]
    public void Frame_shorter_than_its_header_and_a_stream_cut_inside_the_length_are_refused()
    {
        Assert.Equal(IpcProblemCodes.FrameTooShort, Assert.Throws<IpcProtocolException>(() => FrameCodec.ReadFrame(new MemoryStream([2, 0, 0, 0, 1, 0x44]), 100)).Code);
        Assert.Equal(IpcProblemCodes.Truncated, Assert.Throws<IpcProtocolException>(() => FrameCodec.ReadFrame(new MemoryStream([6, 0]), 100)).Code);
    }

    [Fact]
    public void Boolean_and_outcome_bytes_outside_their_values_are_refused()
    {
        var probe = FrameCodec.Encode(new ProbeResultMessage(true, "x"));
        probe[10] = 2;
        Assert.Equal(IpcProblemCodes.InvalidValue, Assert.Throws<IpcProtocolException>(() => DecodeChildStream(probe)).Code);
        var ended = FrameCodec.Encode(new EndedMessage(0, null, "x"));
        ended[10] = 200;
        Assert.Equal(IpcProblemCodes.InvalidValue, Assert.Throws<IpcProtocolException>(() => DecodeChildStream(ended)).Code);
    }

    [Fact]
    public void Every_call_field_at_its_limit_fits_the_child_frame_limit()
    {
        var largest = CallMessage.Of(CallOp.KvSet, text1: new string('n', IpcLimits.MaxNameBytes), text2: new string('t', IpcLimits.MaxTextBytes),
            data1: new byte[IpcLimits.MaxDataBytes], data2: new byte[IpcLimits.MaxDataBytes]);
        var bytes = FrameCodec.Encode(largest);
        Assert.Equal(IpcLimits.MaxChildFrameBytes, bytes.Length - 4);
        Assert.Equal(largest, DecodeChildStream(bytes));
        var over = CallMessage.Of(CallOp.GuestLog, text2: new string('t', IpcLimits.MaxTextBytes + 1));
        Assert.Equal(IpcProblemCodes.FieldTooLarge, Assert.Throws<IpcProtocolException>(() => DecodeChildStream(FrameCodec.Encode(over))).Code);
    }

    private static readonly Gen<CallMessage> GenCall =
        Gen.Select(Gen.Enum<CallOp>(), Gen.Int, Gen.Int, Gen.Long, Gen.String[Gen.Char.AlphaNumeric, 0, 40], Gen.String[0, 200], Gen.Byte.Array[0, 300], Gen.Byte.Array[0, 300])
            .Select((op, a, b, n, t1, t2, d1, d2) => new CallMessage(op, a, b, n, t1, t2, d1, d2));

    [Fact]
    public void Calls_round_trip_through_encode_and_decode() =>
        Gen.Select(GenCall, Gen.UInt).Sample((call, id) =>
        {
            var message = call with { Id = id };
            // Generated strings may hold lone surrogates, which are not UTF-8: those never reach a frame.
            if (!IsWellFormed(message.Text2)) return;
            Assert.Equal(message, DecodeChildStream(FrameCodec.Encode(message)));
        }, iter: 500);

    [Fact]
    public void Hostile_bytes_from_a_child_give_only_protocol_errors() =>
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            try
            {
                DecodeChildStream(bytes);
            }
            catch (IpcProtocolException)
            {
            }
        }, iter: 3000);

    [Fact]
    public void Damaged_valid_frames_give_a_message_or_a_protocol_error() =>
        Gen.Select(GenCall, Gen.Int[0, 1000], Gen.Byte, Gen.Int[0, 8]).Sample((call, at, value, cut) =>
        {
            if (!IsWellFormed(call.Text2)) return;
            var bytes = FrameCodec.Encode(call);
            bytes[at % bytes.Length] = value;
            try
            {
                DecodeChildStream(bytes[..Math.Max(0, bytes.Length - cut)]);
            }
            catch (IpcProtocolException)
            {
            }
        }, iter: 2000);

    private static IpcMessage? DecodeChildStream(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        var frame = FrameCodec.ReadFrame(stream, IpcLimits.MaxChildFrameBytes);
        return frame is null ? null : FrameCodec.DecodeFromChild(frame);
    }

    private static bool IsWellFormed(string s)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetByteCount(s);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
