using System.Diagnostics;

namespace AtymSecure.TestSupport;

/// <summary>
/// A long-running peer (a registry, our own server) started for a test: its output is kept as a log
/// for failure messages, and it is killed with SIGKILL (no shutdown hooks, like a crash) when the
/// test is done or wants to simulate a crash.
/// </summary>
public sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly OutputCapture _output;

    private BackgroundProcess(Process process, string commandLine)
    {
        _process = process;
        _output = new OutputCapture(process);
        CommandLine = commandLine;
    }

    /// <summary>Starts <paramref name="program"/> (resolved like <see cref="ExternalTool.Require"/>) and returns at once.</summary>
    public static BackgroundProcess Start(string program, IEnumerable<string> args, string? installHint = null,
        string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var start = ExternalTool.StartInfo(ExternalTool.Require(program, installHint), args, workingDirectory, environment);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} could not be started");
        return new BackgroundProcess(process, $"{program} {string.Join(' ', start.ArgumentList)}");
    }

    public string CommandLine { get; }

    /// <summary>Everything the process printed so far (stdout and stderr in arrival order).</summary>
    public string Log => _output.Text;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Waits until the log contains <paramref name="text"/> (a readiness line such as "listening").
    /// Fails with the log when the process exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var deadline = DateTime.UtcNow + timeout;
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                // The exit may have raced the last output lines: look once more after the readers drained.
                await _process.WaitForExitAsync().ConfigureAwait(false);
                if (Log.Contains(text, StringComparison.Ordinal)) return;
                throw new InvalidOperationException($"{CommandLine} exited {_process.ExitCode} before printing '{text}':\n{Log}");
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{CommandLine} did not print '{text}' within {timeout}:\n{Log}");
            await Task.Delay(25).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// SIGINT (what Ctrl+C sends), then waits for the process to exit by itself within <paramref name="timeout"/> and returns
    /// its exit code; a process still running then fails with its log (and is killed when disposed).
    /// </summary>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        if (!_process.HasExited && Kill(_process.Id, SigInt) != 0)
            throw new InvalidOperationException($"kill(SIGINT) of {CommandLine} failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{CommandLine} did not exit within {timeout} of SIGINT:\n{Log}");
        }
        return _process.ExitCode;
    }

    private const int SigInt = 2;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>SIGKILL to the whole process tree, then wait until it is gone. Safe to call twice.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    public override string ToString() => CommandLine;
}
