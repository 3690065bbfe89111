namespace AtymSecure.TestSupport;

/// <summary>Waiting for an observable condition instead of a fixed sleep.</summary>
public static class Wait
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>Polls <paramref name="condition"/> (real time, generous bound; not a timing assertion).</summary>
    public static void Until(Func<bool> condition, string what, int seconds = 30)
    {
        ArgumentNullException.ThrowIfNull(condition);
        // Never awaits when blocking, so the task is already complete: GetResult rethrows the TimeoutException itself.
        PollAsync(() => new ValueTask<bool>(condition()), what, TimeSpan.FromSeconds(seconds), PollInterval, blocking: true).GetAwaiter().GetResult();
    }

    /// <summary>Polls <paramref name="condition"/> without blocking a thread; throws <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return PollAsync(() => new ValueTask<bool>(condition()), what, timeout ?? TimeSpan.FromSeconds(30), PollInterval, blocking: false);
    }

    /// <summary>
    /// Polls an asynchronous <paramref name="condition"/> (a request to a server, a process run) every
    /// <paramref name="every"/> until it holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/>.
    /// For conditions that cost a round trip, where the 5 ms interval above would only load the peer.
    /// </summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, TimeSpan every)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return PollAsync(async () => await condition().ConfigureAwait(false), what, timeout, every, blocking: false);
    }

    /// <summary>The one polling loop, bounded by <paramref name="timeout"/>: between polls it sleeps the thread when
    /// <paramref name="blocking"/> (the condition is then synchronous), else awaits a delay.</summary>
    private static async Task PollAsync(Func<ValueTask<bool>> condition, string what, TimeSpan timeout, TimeSpan every, bool blocking)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for: {what}");
            if (blocking) Thread.Sleep(every);
            else await Task.Delay(every).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until <paramref name="path"/> has been written <paramref name="writes"/> more times (its
    /// modification time moved that often), observed without opening it — the file may be locked by the
    /// process that writes it. Writes closer together than the poll interval count once, so this waits
    /// for at least that many.
    /// </summary>
    public static Task ForWritesAsync(string path, int writes, string what, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var last = File.GetLastWriteTimeUtc(path);
        var seen = 0;
        return UntilAsync(() =>
        {
            var now = File.GetLastWriteTimeUtc(path);
            if (now != last) { seen++; last = now; }
            return seen >= writes;
        }, what, timeout);
    }
}
