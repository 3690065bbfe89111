using System.Collections.Concurrent;

namespace AtymSecure.Runtime.Execution;

/// <summary>The result of one health probe call.</summary>
public sealed record ProbeResult(bool Passed, string Detail);

/// <summary>
/// How the supervisor talks to a container's thread while it runs: stop, pause/resume and health probes.
/// Wasmtime stores are single-threaded, so probes are queued and served by the container's own thread at
/// its next scheduling point (host sleep/yield, or between step calls). Every probe handed out completes:
/// served, or failed by <see cref="FailPendingProbes"/> when the run ends, pauses or is disposed.
/// </summary>
public sealed class RunControl : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ManualResetEventSlim _resumed = new(initialState: true);
    private readonly ConcurrentQueue<TaskCompletionSource<ProbeResult>> _probes = new();

    // The probe being served right now. A probe call that traps ends the run by an exception, so its
    // answer cannot be set where it was called: it stays here until FailPendingProbes answers it.
    private TaskCompletionSource<ProbeResult>? _serving;

    // Probes handed to a container process (process mode), answered when its result frame arrives.
    private readonly ConcurrentDictionary<TaskCompletionSource<ProbeResult>, byte> _forwarded = new();

    /// <summary>Raised after a stop, pause, resume or probe request (process mode forwards them to the container process).</summary>
    internal event Action? Changed;

    public CancellationToken Stopping => _stop.Token;

    public bool IsPaused => !_resumed.IsSet;

    public void RequestStop()
    {
        _stop.Cancel();
        Changed?.Invoke();
    }

    public void Pause()
    {
        _resumed.Reset();
        Changed?.Invoke();
    }

    public void Resume()
    {
        _resumed.Set();
        Changed?.Invoke();
    }

    /// <summary>Queues a probe; completes when the container thread has run it (or failed to).</summary>
    public Task<ProbeResult> RequestProbe()
    {
        var tcs = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _probes.Enqueue(tcs);
        Changed?.Invoke();
        return tcs.Task;
    }

    /// <summary>Takes the next queued probe to answer elsewhere (a container process); it stays failable by <see cref="FailPendingProbes"/>.</summary>
    internal bool TryForwardProbe(out TaskCompletionSource<ProbeResult> probe)
    {
        if (!_probes.TryDequeue(out probe!)) return false;
        _forwarded[probe] = 0;
        return true;
    }

    /// <summary>The answer of a forwarded probe.</summary>
    internal void CompleteForwarded(TaskCompletionSource<ProbeResult> probe, ProbeResult result)
    {
        if (_forwarded.TryRemove(probe, out _)) probe.TrySetResult(result);
    }

    /// <summary>
    /// Runs every queued probe with <paramref name="probe"/> on the calling (container) thread. If
    /// <paramref name="probe"/> throws, the probe it was serving stays pending until <see cref="FailPendingProbes"/>.
    /// </summary>
    internal void ServeProbes(Func<ProbeResult> probe)
    {
        while (_probes.TryDequeue(out var next))
        {
            Volatile.Write(ref _serving, next);
            var result = probe();
            Volatile.Write(ref _serving, null);
            next.TrySetResult(result);
        }
    }

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

    /// <summary>Fails the probe being served (if its call threw) and every queued probe.</summary>
    internal void FailPendingProbes(string reason)
    {
        var failed = new ProbeResult(false, reason);
        Interlocked.Exchange(ref _serving, null)?.TrySetResult(failed);
        while (_probes.TryDequeue(out var p)) p.TrySetResult(failed);
        foreach (var p in _forwarded.Keys)
        {
            if (_forwarded.TryRemove(p, out _)) p.TrySetResult(failed);
        }
    }

    public void Dispose()
    {
        FailPendingProbes("container run disposed");
        _stop.Dispose();
        _resumed.Dispose();
    }
}
