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
    public static async Task<ToolResult> CheckAsync(string image, string certificate, string hardware, params string[] extra)
    {
        await using var hold = await Exclusive().ConfigureAwait(false);
        using var tmp = TempFolder.Create("swupdate-tmp");
        return await ExternalTool.RunAsync(Program, ["-v", "-c", "-i", image, "-k", certificate, "-H", hardware, .. extra], TimeSpan.FromMinutes(1),
            environment: new Dictionary<string, string> { ["TMPDIR"] = tmp.Path }, installHint: InstallHint).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>swupdate -i IMAGE -k CERT -H BOARD:REV [extra]</c>: installs an image here (its rawfile payloads are written to
    /// their paths), as a gateway does with one it received.
    /// </summary>
    public static async Task<ToolResult> InstallAsync(string image, string certificate, string hardware, params string[] extra)
    {
        await using var hold = await Exclusive().ConfigureAwait(false);
        using var tmp = TempFolder.Create("swupdate-tmp");
        return await ExternalTool.RunAsync(Program, ["-v", "-i", image, "-k", certificate, "-H", hardware, .. extra], TimeSpan.FromMinutes(1),
            environment: new Dictionary<string, string> { ["TMPDIR"] = tmp.Path }, installHint: InstallHint).ConfigureAwait(false);
    }

    /// <summary>
    /// Holds the one SWUpdate slot of this machine's tests until disposed: a semaphore within the process and an OS lock
    /// (<c>flock</c> through an exclusive file handle) across processes.
    /// </summary>
    public static async Task<IAsyncDisposable> Exclusive(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!await InProcess.WaitAsync(limit).ConfigureAwait(false)) throw new TimeoutException($"another test held SWUpdate for {limit}");
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new Hold(new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (watch.Elapsed < limit)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
            catch
            {
                InProcess.Release();
                throw;
            }
        }
    }

    private sealed class Hold(FileStream file) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await file.DisposeAsync().ConfigureAwait(false);
            InProcess.Release();
        }
    }
}
