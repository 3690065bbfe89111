using System.Diagnostics;

namespace AtymSecure.TestSupport;

/// <summary>
/// Runs a real program to completion with a time bound and captures its output. A missing program
/// fails the test with what to install (tests never skip because a tool is absent).
/// </summary>
public static class ExternalTool
{
    /// <summary>What to do when a tool is missing, unless the caller names the package.</summary>
    public const string DefaultInstallHint = "run scripts/test-deps.sh (it installs the Debian packages the tests need)";

    /// <summary>
    /// Full path of <paramref name="program"/>: a path (containing '/') is checked as given, a bare
    /// name is looked up on PATH. Throws <see cref="InvalidOperationException"/> naming the tool and
    /// <paramref name="installHint"/> when it is not there.
    /// </summary>
    public static string Require(string program, string? installHint = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            if (File.Exists(program)) return program;
        }
        else
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, program);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new InvalidOperationException($"'{program}' is not installed: {installHint ?? DefaultInstallHint}");
    }

    /// <summary>
    /// Runs <paramref name="program"/> (see <see cref="Require"/>) with <paramref name="args"/> and
    /// waits at most <paramref name="timeout"/> (default 2 minutes); on timeout the process tree is
    /// killed and <see cref="TimeoutException"/> says which command hung.
    /// </summary>
    public static async Task<ToolResult> RunAsync(string program, IEnumerable<string> args, TimeSpan? timeout = null,
        string? workingDirectory = null, IDictionary<string, string>? environment = null, string? installHint = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var start = StartInfo(Require(program, installHint), args, workingDirectory, environment);
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"{program} could not be started");
        var output = new OutputCapture(process);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in time\n{output.Text}");
        }
        // The parameterless wait also drains the asynchronous output readers.
        process.WaitForExit();
        return new ToolResult(process.ExitCode, output.StdOut, output.StdErr);
    }

    /// <summary>Start info with redirected output, the given arguments, directory and extra environment.</summary>
    internal static ProcessStartInfo StartInfo(string path, IEnumerable<string> args, string? workingDirectory, IDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        return start;
    }
}
