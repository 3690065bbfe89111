using System.Diagnostics;

namespace AtymSecure.TestSupport;

/// <summary>
/// Debian's SWUpdate (<c>/usr/bin/swupdate</c>, suricatta compiled in) for tests that carry
/// <c>[Trait("Requires", "swupdate")]</c>. Every run gets its own <c>TMPDIR</c> (SWUpdate puts its control sockets and
/// extracted images there), and runs one at a time across test processes (<see cref="Exclusive"/>): SWUpdate also binds
/// the fixed abstract socket <c>@NotifyServer</c>, so two at once would collide.
/// </summary>
public static class Swupdate
{
    public const string InstallHint = "install the Debian package 'swupdate' (scripts/test-deps.sh does)";

    private const string LockFile = "/tmp/atym-tests-swupdate.lock";
    private static readonly SemaphoreSlim InProcess = new(1, 1);

    public static string Program => ExternalTool.Require("swupdate", InstallHint);

    /// <summary>
    /// <c>swupdate -c -i IMAGE -k CERT -H BOARD:REV [extra]</c>: checks an image offline (manifest, signature, hardware
    /// compatibility, every payload's hash) and installs nothing.
    /// </summary>
    public static Task<ToolResult> CheckAsync(string image, string certificate, string hardware, params string[] extra) =>
        RunDecidedAsync(["-v", "-c", "-i", image, "-k", certificate, "-H", hardware, .. extra]);

    /// <summary>
    /// <c>swupdate -i IMAGE -k CERT -H BOARD:REV [extra]</c>: installs an image here (its rawfile payloads are written to
    /// their paths), as a gateway does with one it received.
    /// </summary>
    public static Task<ToolResult> InstallAsync(string image, string certificate, string hardware, params string[] extra) =>
        RunDecidedAsync(["-v", "-i", image, "-k", certificate, "-H", hardware, .. extra]);

    /// <summary>Runs of one <c>-i</c> command before giving up on SWUpdate deciding (<see cref="Decided"/>).</summary>
    private const int MaxAttempts = 5;

    /// <summary>
    /// One <c>swupdate -i</c> command until a run decides. SWUpdate 2022.12 (Debian 12) ends <c>-i</c> on the first status it
    /// reads back over its own IPC, and now and then that is IDLE — read before the image was even opened, or after SUCCESS was
    /// already replaced — so it logs "SWUpdate was successful !" and exits 1 (here: 15 of 200 <c>-v -c</c> runs of a good image;
    /// one run in about 900 crashed on SIGSEGV). Such a run decided nothing and is run again; a run that decided (exit 0, or a
    /// refusal SWUpdate logged as such) is returned as it is, so a refusal is never retried away.
    /// </summary>
    private static async Task<ToolResult> RunDecidedAsync(string[] arguments)
    {
        ToolResult? last = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            await using var hold = await Exclusive().ConfigureAwait(false);
            using var tmp = TempFolder.Create("swupdate-tmp");
            last = await ExternalTool.RunAsync(Program, arguments, TimeSpan.FromMinutes(1),
                environment: new Dictionary<string, string> { ["TMPDIR"] = tmp.Path }, installHint: InstallHint).ConfigureAwait(false);
            if (Decided(last)) return last;
        }
        throw new InvalidOperationException($"SWUpdate decided nothing in {MaxAttempts} runs of {string.Join(' ', arguments)}; the last: {last}");
    }

    /// <summary>
    /// False for a run that decided nothing: killed by a signal, or exit 1 although SWUpdate's own end-of-update line says it
    /// was successful and it logged no failure (the IDLE race of <see cref="RunDecidedAsync"/>).
    /// </summary>
    public static bool Decided(ToolResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.ExitCode == 0) return true;
        if (run.ExitCode is < 0 or >= 128) return false;
        var output = run.StdOut + run.StdErr;
        var endedOnIdle = output.Contains("[endupdate] : SWUpdate was successful !", StringComparison.Ordinal)
            && !output.Contains("*failed*", StringComparison.Ordinal);
        return !(run.ExitCode == 1 && endedOnIdle);
    }

    /// <summary>
    /// Holds the one SWUpdate slot of this machine's tests until disposed: a semaphore within the process and an OS lock
    /// (<c>flock</c> through an exclusive file handle) across processes.
    /// </summary>
    public static async Task<IAsyncDisposable> Exclusive(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!await InProcess.WaitAsync(limit).ConfigureAwait(false)) throw new TimeoutException($"another test held SWUpdate for {limit}");
        FileStream? file = null;
        try
        {
            // Another test process holds the file (its FileShare.None open fails with IOException) until its Hold is disposed.
            await Wait.UntilAsync(() => Task.FromResult((file = TryOpenLock()) is not null), $"the SWUpdate lock {LockFile} held by another test process", limit, TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
            // A holder that crashed may have left SWUpdate's children behind, still bound to @NotifyServer.
            await NoneRunningAsync(limit).ConfigureAwait(false);
            return new Hold(file!);
        }
        catch
        {
            if (file is not null) await file.DisposeAsync().ConfigureAwait(false);
            InProcess.Release();
            throw;
        }
    }

    private static FileStream? TryOpenLock()
    {
        try
        {
            return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until no SWUpdate process is alive on this machine (zombies hold no socket and do not count). A killed
    /// suricatta's forked children (downloader, progress, suricatta itself) outlive its main process for a moment and keep
    /// <c>@NotifyServer</c> bound: the next holder's <c>swupdate -i</c> then installs but exits 1 for want of its notifier.
    /// Only the slot's holder starts SWUpdate, so every live one is the holder's own. Polled every 50 ms: each look lists
    /// the machine's processes.
    /// </summary>
    private static async Task NoneRunningAsync(TimeSpan limit)
    {
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(Running().Count == 0), "no SWUpdate process alive", limit, TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"SWUpdate processes {string.Join(", ", Running())} still alive after {limit}");
        }
    }

    private static List<int> Running()
    {
        var alive = new List<int>();
        foreach (var process in Process.GetProcessesByName("swupdate"))
        {
            using (process)
            {
                try
                {
                    // /proc/PID/stat: "PID (comm) STATE …"; Z is a zombie, X dead.
                    var stat = File.ReadAllText($"/proc/{process.Id}/stat");
                    var state = stat[(stat.LastIndexOf(')') + 2)..][0];
                    if (state is not ('Z' or 'X')) alive.Add(process.Id);
                }
                catch (IOException)
                {
                    // Gone since it was listed.
                }
            }
        }
        return alive;
    }

    private sealed class Hold(FileStream file) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // The slot is free only once what its holder started is gone, children included.
                await NoneRunningAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
            finally
            {
                await file.DisposeAsync().ConfigureAwait(false);
                InProcess.Release();
            }
        }
    }
}
