using System.Collections.Concurrent;
using AtymSecure.Runtime.Execution;

namespace AtymSecure.Runtime.Isolation;

/// <summary>
/// The container process's side of the pipe to its agent: one writer lock over stdout, calls that wait for the reply
/// with their id, and a reader thread that applies the agent's control frames to the run's <see cref="RunControl"/>
/// (stop, pause, resume, probe: a probe's result is sent back as a frame when the container thread has served it).
/// When the agent's side closes, the agent is gone and so is every reason to run: the process exits at once.
/// </summary>
internal sealed class AgentChannel
{
    /// <summary>Exit code of a container process whose agent went away.</summary>
    public const int AgentGoneExitCode = 70;

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<ReplyMessage>> _waiting = new();
    private uint _nextCall;
    private RunControl? _control;

    public AgentChannel(Stream input, Stream output)
    {
        _input = input;
        _output = output;
    }

    /// <summary>Set while a call waits for its reply (the heartbeat counts that as progress).</summary>
    public bool InCall => !_waiting.IsEmpty;

    /// <summary>When the last call returned (<see cref="Environment.TickCount64"/>).</summary>
    public long LastCallTicks { get; private set; } = Environment.TickCount64;

    public StartMessage ReadStart()
    {
        var frame = FrameCodec.ReadFrame(_input, IpcLimits.MaxAgentFrameBytes) ?? throw new EndOfStreamException("the agent closed the pipe before the start frame");
        return FrameCodec.DecodeFromAgent(frame) as StartMessage
            ?? throw new IpcProtocolException(IpcProblemCodes.InvalidValue, "type", "the first frame from the agent must be a start frame");
    }

    /// <summary>Starts applying control frames to <paramref name="control"/> (after the start frame was read).</summary>
    public void Listen(RunControl control)
    {
        _control = control;
        new Thread(ReadControl) { IsBackground = true, Name = "ipc-control" }.Start();
    }

    public void Send(IpcMessage message)
    {
        var frame = FrameCodec.Encode(message);
        lock (_writeLock)
        {
            try
            {
                _output.Write(frame);
                _output.Flush();
            }
            catch (IOException)
            {
                Environment.Exit(AgentGoneExitCode);
            }
        }
    }

    public ReplyMessage Call(CallMessage call)
    {
        var id = Interlocked.Increment(ref _nextCall);
        var reply = new TaskCompletionSource<ReplyMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = reply;
        try
        {
            Send(call with { Id = id });
            return reply.Task.GetAwaiter().GetResult();
        }
        finally
        {
            _waiting.TryRemove(id, out _);
            LastCallTicks = Environment.TickCount64;
        }
    }

    private void ReadControl()
    {
        try
        {
            while (FrameCodec.ReadFrame(_input, IpcLimits.MaxAgentFrameBytes) is { } frame)
            {
                switch (FrameCodec.DecodeFromAgent(frame))
                {
                    case ReplyMessage reply when _waiting.TryGetValue(reply.Id, out var waiter):
                        waiter.TrySetResult(reply);
                        break;
                    case ControlMessage { Type: FrameType.Stop }:
                        _control!.RequestStop();
                        break;
                    case ControlMessage { Type: FrameType.Pause }:
                        _control!.Pause();
                        break;
                    case ControlMessage { Type: FrameType.Resume }:
                        _control!.Resume();
                        break;
                    case ControlMessage { Type: FrameType.Probe, Id: var probeId }:
                        _control!.RequestProbe().ContinueWith(t => Send(new ProbeResultMessage(t.Result.Passed, t.Result.Detail) { Id = probeId }), TaskScheduler.Default);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or IpcProtocolException)
        {
            Console.Error.WriteLine($"container host: agent pipe failed: {e.Message}");
        }
        Environment.Exit(AgentGoneExitCode);
    }
}
