using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.Runtime.Isolation;

/// <summary>
/// The agent's side of a container process's device API calls: each decoded <see cref="CallMessage"/> is answered by
/// the run's <see cref="LocalDeviceCalls"/> (grants, log rate limit and line cut, key-value quota: all enforced here,
/// whatever the child checked). Values the child could only send by breaking the protocol (an unknown log source, a
/// negative sleep) are protocol violations: the child is killed. Returns null for calls without a reply (log lines).
/// </summary>
internal sealed class DeviceCallServer(LocalDeviceCalls calls)
{
    /// <summary>Sources a child may write guest lines under (the child cannot pose as the runtime or the bus).</summary>
    public static readonly IReadOnlySet<string> GuestSources = new HashSet<string>(StringComparer.Ordinal) { "log", "stdout", "stderr", ContainerHostSource };

    public const string ContainerHostSource = "container-host";

    /// <summary>Longest sleep one call may ask for (longer sleeps are split by the child).</summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromDays(1);

    /// <summary>Sleep's reply code when the run was stopped during the wait.</summary>
    public const int SleepStopped = 1;

    /// <exception cref="IpcProtocolException">A value outside what the protocol allows.</exception>
    public ReplyMessage? Handle(CallMessage call, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(call);
        switch (call.Op)
        {
            case CallOp.Uptime:
                return Reply(0, calls.Uptime.Ticks);
            case CallOp.Sleep:
                if (call.Number < 0 || call.Number > MaxSleep.Ticks)
                    throw new IpcProtocolException(IpcProblemCodes.InvalidValue, "number", $"sleep of {call.Number} ticks is outside 0..{MaxSleep.Ticks}");
                try
                {
                    calls.Sleep(TimeSpan.FromTicks(call.Number), stopping);
                    return Reply(0);
                }
                catch (OperationCanceledException)
                {
                    return Reply(SleepStopped);
                }
            case CallOp.GuestLog:
                if (!GuestSources.Contains(call.Text1))
                    throw new IpcProtocolException(IpcProblemCodes.InvalidValue, "text1", $"'{call.Text1}' is not a source a container writes log lines under");
                if (call.Number < 0) throw new IpcProtocolException(IpcProblemCodes.InvalidValue, "number", "a negative count of cut bytes");
                calls.GuestLog(call.Int1 is >= 0 and <= 3 ? (LogLevel)call.Int1 : LogLevel.Info, call.Text1, call.Text2, call.Number);
                return null;
            case CallOp.SensorRead:
            {
                var code = calls.SensorRead(call.Text1, out var value);
                return Reply(code, BitConverter.DoubleToInt64Bits(value));
            }
            case CallOp.GpioRead:
                return Reply(calls.GpioRead(call.Int1));
            case CallOp.GpioWrite:
                return Reply(calls.GpioWrite(call.Int1, call.Int2));
            case CallOp.KvGet:
                return calls.KvGet(call.Data1) is { } found ? Reply(0, data: found) : Reply(-1);
            case CallOp.KvSet:
                return Reply(calls.KvSet(call.Data1, call.Data2));
            case CallOp.Publish:
                return Reply(calls.Publish(call.Text1, call.Data1));
            case CallOp.Subscribe:
                return Reply(calls.Subscribe(call.Text1));
            case CallOp.Receive:
            {
                var m = calls.Receive(call.Int1, call.Int2);
                return Reply(m.Code, text: m.Topic, data: m.Payload);
            }
            case CallOp.BlobSize:
                return Reply(calls.BlobSize(call.Text1));
            case CallOp.BlobRead:
            {
                var chunk = calls.BlobRead(call.Text1, call.Int1, call.Int2);
                return Reply(chunk.Code, data: chunk.Bytes.ToArray());
            }
            default:
                throw new IpcProtocolException(IpcProblemCodes.UnknownOperation, "op", $"unknown device API operation {(byte)call.Op}");
        }

        ReplyMessage Reply(int code, long number = 0, string text = "", byte[]? data = null) =>
            new(code, number, text, data ?? []) { Id = call.Id };
    }
}
