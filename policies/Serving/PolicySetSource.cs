using AtymSecure.Policies.Loading;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Serving;

/// <summary>
/// A policy folder served to enforcement points (issue 15 §3): loaded and validated whole (<see cref="PolicySetLoader"/>),
/// held as one immutable <see cref="PolicyState"/> swapped by reference, so a reader sees the old set or the new one and
/// never half of either. Reloads on demand (<see cref="Reload"/>) and, once <see cref="Watch"/> is called, when a file in
/// the folder changes: a <see cref="FileSystemWatcher"/> restarts a debounce timer on every event, so an editor's
/// save-as-rename-and-delete or a <c>git checkout</c> of many files is one reload, of the finished folder. A set with any
/// problem is never served: the last good one keeps serving and <see cref="PolicyState.LastFailure"/> says why.
/// Reloads run one at a time; <see cref="Reloaded"/> tells every outcome (the host logs it).
/// </summary>
public sealed class PolicySetSource : IDisposable
{
    /// <summary>Quiet time after the last file event before the folder is read.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(250);

    private readonly Lock _reloadLock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private PolicyState _state = new(null, null, null, 0);
    private FileSystemWatcher? _watcher;
    private ITimer? _debounceTimer;
    private bool _disposed;

    /// <summary>Loads <paramref name="folder"/> once now; a broken folder leaves the source with no set (<see cref="PolicyState.IsReady"/> false).</summary>
    public PolicySetSource(string folder, TimeProvider? time = null, TimeSpan? debounce = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
        _time = time ?? TimeProvider.System;
        _debounce = debounce ?? DefaultDebounce;
        ArgumentOutOfRangeException.ThrowIfLessThan(_debounce, TimeSpan.Zero, nameof(debounce));
        Reload();
    }

    public string Folder { get; }

    /// <summary>The snapshot now; take it once per decision so every check of that decision uses one set.</summary>
    public PolicyState State => Volatile.Read(ref _state);

    /// <summary>After every reload, good or not, with the new snapshot. Handlers run on the reloading thread and must not throw.</summary>
    public event Action<PolicyState>? Reloaded;

    /// <summary>Reads and validates the folder; swaps in the set when it has no problem, else keeps the serving one and records the failure.</summary>
    public PolicyState Reload()
    {
        PolicyState next;
        lock (_reloadLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var folder = PolicySetLoader.LoadFolder(Folder);
            var now = _time.GetUtcNow();
            var current = State;
            next = folder.Set is { } set
                ? new PolicyState(set, current.Serving?.Digest == set.Digest ? current.ServingSince : now, null, current.Generation + 1)
                : current with { LastFailure = new PolicyReloadFailure(now, [.. folder.Problems]), Generation = current.Generation + 1 };
            Volatile.Write(ref _state, next);
        }
        Reloaded?.Invoke(next);
        return next;
    }

    /// <summary><see cref="Reload"/> off the caller's thread.</summary>
    public Task<PolicyState> ReloadAsync(CancellationToken ct = default) => Task.Run(Reload, ct);

    /// <summary>Starts reloading on file changes (idempotent).</summary>
    public void Watch()
    {
        lock (_reloadLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_watcher is not null) return;
            _debounceTimer = _time.CreateTimer(_ => ReloadFromWatcher(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            var watcher = new FileSystemWatcher(Folder)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => Touched();
            watcher.Created += (_, _) => Touched();
            watcher.Deleted += (_, _) => Touched();
            watcher.Renamed += (_, _) => Touched();
            // A lost event (the watcher's buffer overflowed) could be the one that mattered: read the folder again.
            watcher.Error += (_, _) => Touched();
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
    }

    private void Touched()
    {
        try
        {
            _debounceTimer?.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while an event was in flight.
        }
    }

    private void ReloadFromWatcher()
    {
        try
        {
            Reload();
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the event and the timer.
        }
#pragma warning disable CA1031 // an unexpected failure of one reload (the folder deleted under it) must not end the watcher's timer thread
        catch (Exception e)
#pragma warning restore CA1031
        {
            var failed = State with { LastFailure = new PolicyReloadFailure(_time.GetUtcNow(), [new Problem(PolicyProblemCodes.Required, "$", $"reading {Folder}: {e.Message}", new SourcePosition(Folder, 1, 1))]) };
            Volatile.Write(ref _state, failed);
            Reloaded?.Invoke(failed);
        }
    }

    public void Dispose()
    {
        lock (_reloadLock)
        {
            if (_disposed) return;
            _disposed = true;
            _watcher?.Dispose();
            _debounceTimer?.Dispose();
        }
    }
}
