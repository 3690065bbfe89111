using System.Collections.Concurrent;

namespace AtymSecure.Runtime.Execution;

/// <summary>The result of one health probe call.</summary>
public sealed record ProbeResult(bool Passed, string Detail);

/// <summary>
/// How the supervisor talks to a container's thread while it runs: stop, pause/resume and health probes.
/// Wasmtime stores are single-threaded, so probes are queued and served by the container's own thread at
/// its next scheduling point (host sleep/yield, or between step calls).
/// </summary>
public sealed class RunControl : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ManualResetEventSlim _resumed = new(initialState: true);
    private readonly ConcurrentQueue<TaskCompletionSource<ProbeResult>> _probes = new();

    public CancellationToken Stopping => _stop.Token;

    public bool IsPaused => !_resumed.IsSet;

    public void RequestStop() => _stop.Cancel();

    public void Pause() => _resumed.Reset();

    public void Resume() => _resumed.Set();

    /// <summary>Queues a probe; completes when the container thread has run it (or failed to).</summary>
    public Task<ProbeResult> RequestProbe()
    {
        var tcs = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _probes.Enqueue(tcs);
        return tcs.Task;
    }

    internal bool TryTakeProbe(out TaskCompletionSource<ProbeResult> probe) => _probes.TryDequeue(out probe!);

    /// <summary>Blocks while paused; returns false when a stop was requested meanwhile.</summary>
    internal bool WaitWhilePaused()
    {
        try
        {
            _resumed.Wait(_stop.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Fails every queued probe (the run ended before serving them).</summary>
    internal void FailPendingProbes(string reason)
    {
        while (_probes.TryDequeue(out var p)) p.TrySetResult(new ProbeResult(false, reason));
    }

    public void Dispose()
    {
        FailPendingProbes("container run disposed");
        _stop.Dispose();
        _resumed.Dispose();
    }
}
