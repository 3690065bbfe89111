using System.Collections.Concurrent;
using System.Diagnostics;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.Runtime.Isolation;

/// <summary>
/// One container process from start to exit, agent side: starts it, writes frames through one writer thread, reads
/// and decodes its frames on a reader thread into an inbox that <see cref="Run"/> pumps on the caller's thread, keeps a
/// few stderr lines for the log, forwards the <see cref="RunControl"/>'s requests, and kills the child when it breaks the
/// protocol, stays silent past the heartbeat timeout, or outlives a stop by the grace period. Dispose kills and reaps it.
/// </summary>
internal sealed class ChildConnection : IDisposable
{
    private const int StderrLinesKept = 20;
    private readonly string _container;
    private readonly RuntimeOptions _options;
    private readonly LocalDeviceCalls _calls;
    private readonly Process _process;
    private readonly BlockingCollection<IpcMessage?> _inbox = new();
    private readonly BlockingCollection<byte[]> _outbox = new();
    private readonly CancellationTokenSource _gone = new();
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<ProbeResult>> _probes = new();
    private readonly Lock _forwardLock = new();
    private readonly List<string> _stderr = [];
    private readonly Thread _reader;
    private readonly Thread _writer;
    private readonly Thread _stderrReader;
    private long _lastFrameTicks = Environment.TickCount64;
    private string? _violation;
    private bool _silent;
    private uint _nextProbe;
    private bool _sentPause;
    private bool _sentStop;
    private Timer? _graceTimer;

    public ChildConnection(string container, ContainerHostCommand command, RuntimeOptions options, LocalDeviceCalls calls)
    {
        _container = container;
        _options = options;
        _calls = calls;
        var info = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in command.PrefixArguments) info.ArgumentList.Add(a);
        info.ArgumentList.Add("--parent-pid");
        info.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--container");
        info.ArgumentList.Add(container);
        // A small managed heap for a process that only runs one store: no server GC, no background GC thread.
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["DOTNET_gcConcurrent"] = "0";
        info.Environment["DOTNET_TieredPGO"] = "0";
        try
        {
            _process = Process.Start(info) ?? throw new ContainerHostNotFoundException($"container host {command} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ContainerHostNotFoundException($"container host {command} could not be started: {e.Message}", e);
        }
        ContainerProcesses.Add(_process.Id, container);
        _reader = new Thread(ReadFrames) { IsBackground = true, Name = $"ipc-read:{container}" };
        _writer = new Thread(WriteFrames) { IsBackground = true, Name = $"ipc-write:{container}" };
        _stderrReader = new Thread(ReadStderr) { IsBackground = true, Name = $"ipc-stderr:{container}" };
        _reader.Start();
        _writer.Start();
        _stderrReader.Start();
    }

    public int ProcessId => _process.Id;

    /// <summary>Sends the start frame, then serves the child until its stdout ends; the child is dead or killed on return.</summary>
    public ChildEnd Run(StartMessage start, RunControl control, DeviceCallServer server)
    {
        _outbox.Add(FrameCodec.Encode(start));
        control.Changed += OnChanged;
        using var watchdog = new Timer(_ => CheckAlive(), null, _options.HeartbeatInterval, _options.HeartbeatInterval);
        using var stopGrace = control.Stopping.Register(() => _graceTimer = new Timer(_ => Kill(), null, _options.ProcessStopGrace, Timeout.InfiniteTimeSpan));
        using var sleeping = CancellationTokenSource.CreateLinkedTokenSource(control.Stopping, _gone.Token);
        EndedMessage? ended = null;
        try
        {
            Forward(control);
            while (_inbox.Take() is { } message)
            {
                switch (message)
                {
                    case CallMessage call:
                        if (server.Handle(call, sleeping.Token) is { } reply)
                        {
                            // A reply the stop decided (a sleep it ended) must not overtake the stop's own frame, or the
                            // child sees its sleep end without a stop and calls its end a trap.
                            if (control.Stopping.IsCancellationRequested) Forward(control);
                            Send(reply);
                        }
                        break;
                    case ProbeResultMessage result:
                        if (_probes.TryRemove(result.Id, out var probe)) control.CompleteForwarded(probe, new ProbeResult(result.Passed, result.Detail));
                        break;
                    case EndedMessage e:
                        ended ??= e;
                        break;
                    case HeartbeatMessage:
                        break;
                    default:
                        throw new IpcProtocolException(IpcProblemCodes.WrongDirection, "type", $"{message.GetType().Name} is not sent by a container process");
                }
            }
        }
        catch (IpcProtocolException e)
        {
            Violate($"{e.Code}: {e.Message}");
        }
        finally
        {
            control.Changed -= OnChanged;
        }
        var exit = Reap();
        return new ChildEnd(_violation is null ? ended : null, exit, _violation, _silent && ended is null);

        void OnChanged() => Forward(control);
    }

    /// <summary>Brings the child to the control's state: stop, pause/resume, and every queued probe as a probe frame.</summary>
    private void Forward(RunControl control)
    {
        lock (_forwardLock)
        {
            if (control.Stopping.IsCancellationRequested)
            {
                if (!_sentStop) Send(new ControlMessage(FrameType.Stop));
                _sentStop = true;
                return;
            }
            if (control.IsPaused != _sentPause)
            {
                _sentPause = control.IsPaused;
                Send(new ControlMessage(_sentPause ? FrameType.Pause : FrameType.Resume));
            }
            while (control.TryForwardProbe(out var probe))
            {
                var id = ++_nextProbe;
                _probes[id] = probe;
                Send(new ControlMessage(FrameType.Probe) { Id = id });
            }
        }
    }

    private void Send(IpcMessage message)
    {
        try
        {
            _outbox.Add(FrameCodec.Encode(message));
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // The writer has finished (or the connection is disposed: a control request raced the run's end): the
            // child is gone and nothing it would read matters.
        }
    }

    private void ReadFrames()
    {
        try
        {
            var stdout = _process.StandardOutput.BaseStream;
            while (FrameCodec.ReadFrame(stdout, IpcLimits.MaxChildFrameBytes) is { } frame)
            {
                Interlocked.Exchange(ref _lastFrameTicks, Environment.TickCount64);
                _inbox.Add(FrameCodec.DecodeFromChild(frame));
            }
        }
        catch (IpcProtocolException e)
        {
            Violate($"{e.Code}: {e.Message}");
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _gone.Cancel();
            _inbox.Add(null);
        }
    }

    private void WriteFrames()
    {
        try
        {
            var stdin = _process.StandardInput.BaseStream;
            foreach (var frame in _outbox.GetConsumingEnumerable())
            {
                stdin.Write(frame);
                stdin.Flush();
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ReadStderr()
    {
        try
        {
            while (_process.StandardError.ReadLine() is { } line)
            {
                lock (_stderr)
                {
                    if (_stderr.Count < StderrLinesKept) _stderr.Add(line.Length <= 1024 ? line : line[..1024]);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void CheckAlive()
    {
        if (Environment.TickCount64 - Interlocked.Read(ref _lastFrameTicks) <= (long)_options.HeartbeatTimeout.TotalMilliseconds) return;
        _silent = true;
        Kill();
    }

    private void Violate(string message)
    {
        _violation ??= message;
        Kill();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>Waits for the child to exit (killing it if it does not), then logs what it wrote to stderr.</summary>
    private int? Reap()
    {
        if (!_process.WaitForExit(_options.ProcessStopGrace))
        {
            Kill();
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        _outbox.CompleteAdding();
        _stderrReader.Join(TimeSpan.FromSeconds(2));
        lock (_stderr)
        {
            foreach (var line in _stderr) _calls.Log(LogLevel.Error, DeviceCallServer.ContainerHostSource, line);
            _stderr.Clear();
        }
        return _process.HasExited ? _process.ExitCode : null;
    }

    public void Dispose()
    {
        Kill();
        _process.WaitForExit(TimeSpan.FromSeconds(10));
        if (!_outbox.IsAddingCompleted) _outbox.CompleteAdding();
        _reader.Join(TimeSpan.FromSeconds(5));
        _writer.Join(TimeSpan.FromSeconds(5));
        _graceTimer?.Dispose();
        ContainerProcesses.Remove(_process.Id);
        _process.Dispose();
        _gone.Dispose();
        _inbox.Dispose();
        _outbox.Dispose();
    }
}
