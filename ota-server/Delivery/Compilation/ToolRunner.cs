using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace AtymSecure.Delivery.Compilation;

/// <summary>Result of one external tool run.</summary>
/// <param name="ExitCode">Process exit code; -1 when the run was stopped (timeout or stop line).</param>
/// <param name="StandardOutput">Everything the tool wrote to stdout.</param>
/// <param name="StandardError">Everything the tool wrote to stderr.</param>
/// <param name="TimedOut">True when the time limit ended the run.</param>
/// <param name="StoppedAtLine">True when the run was ended because the expected stdout line appeared.</param>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut, bool StoppedAtLine);

/// <summary>
/// Runs an external tool with an argument list (no shell), a hard time limit, and kills the whole process tree
/// when the limit passes — qemu-system-arm, for one, does not always exit after the guest exits.
/// </summary>
public static class ToolRunner
{
    /// <summary>Runs <paramref name="tool"/> and returns its output; never leaves the process running.</summary>
    /// <param name="tool">Executable name (looked up on PATH) or path.</param>
    /// <param name="arguments">Arguments, passed verbatim.</param>
    /// <param name="workingDirectory">Working directory.</param>
    /// <param name="timeout">Hard limit; the process tree is killed when it passes.</param>
    /// <param name="stopWhenStdoutLine">
    /// If set, the run ends (and the tree is killed) once a line on stdout or stderr makes this return true
    /// (qemu's semihosting console writes to stderr).
    /// </param>
    /// <param name="ct">Cancels the run (the tree is killed).</param>
    public static async Task<ToolResult> RunAsync(
        string tool,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        Func<string, bool>? stopWhenStdoutLine = null,
        CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);

        using var process = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var stopLineSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) stdout.Append(e.Data).Append('\n');
            if (stopWhenStdoutLine?.Invoke(e.Data) == true) stopLineSeen.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.Append(e.Data).Append('\n');
            if (stopWhenStdoutLine?.Invoke(e.Data) == true) stopLineSeen.TrySetResult();
        };

        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new AotToolMissingException($"cannot start '{tool}': {ex.Message}", ex);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var exited = process.WaitForExitAsync(limit.Token);
        bool timedOut = false, stopped = false;
        try
        {
            var first = await Task.WhenAny(exited, stopLineSeen.Task).ConfigureAwait(false);
            if (first == exited) await exited.ConfigureAwait(false);
            else stopped = true;
        }
        catch (OperationCanceledException)
        {
            timedOut = !ct.IsCancellationRequested;
        }

        if (!process.HasExited)
        {
            KillTree(process);
            // The kill is asynchronous; wait briefly so output handlers finish and no zombie is left.
            using var reap = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await process.WaitForExitAsync(reap.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { /* reported through TimedOut below */ }
        }
        else
        {
            process.WaitForExit(); // flushes the asynchronous output readers
        }
        ct.ThrowIfCancellationRequested();

        string o, e;
        lock (stdout) o = stdout.ToString();
        lock (stderr) e = stderr.ToString();
        var exit = timedOut || stopped ? -1 : process.ExitCode;
        return new ToolResult(exit, o, e, timedOut, stopped && !timedOut);
    }

    /// <summary>Runs a tool and throws <see cref="AotCompilationException"/> with its stderr unless it exits 0.</summary>
    public static async Task<ToolResult> RunCheckedAsync(
        string tool, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken ct)
    {
        var r = await RunAsync(tool, arguments, workingDirectory, timeout, null, ct).ConfigureAwait(false);
        if (r.TimedOut)
            throw new AotCompilationException($"'{tool}' did not finish within {timeout.TotalSeconds:0} s and was killed: {Describe(tool, arguments)}");
        if (r.ExitCode != 0)
            throw new AotCompilationException(
                $"'{tool}' failed with exit code {r.ExitCode}: {Describe(tool, arguments)}\n{Trim(r.StandardError)}{Trim(r.StandardOutput)}");
        return r;
    }

    private static void KillTree(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* exited meanwhile */ }
    }

    private static string Describe(string tool, IEnumerable<string> arguments) =>
        tool + " " + string.Join(' ', arguments);

    private static string Trim(string text) => text.Length <= 4000 ? text : text[..4000] + "…";
}
