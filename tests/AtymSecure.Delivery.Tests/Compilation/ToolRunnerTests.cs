using AtymSecure.Delivery.Compilation;

namespace AtymSecure.Delivery.Tests.Compilation;

[Trait("Requires", "process")]
public sealed class ToolRunnerTests
{
    [Fact]
    public async Task A_run_past_its_limit_is_killed_with_its_children()
    {
        var dir = Directory.CreateTempSubdirectory("atym-runner-").FullName;
        try
        {
            var pidFile = Path.Combine(dir, "child.pid");
            // The shell starts a background child that would outlive a plain kill of the shell.
            var r = await ToolRunner.RunAsync("/bin/sh", ["-c", $"sleep 300 & echo $! > {pidFile}; wait"], dir,
                TimeSpan.FromSeconds(2), null, CancellationToken.None);

            Assert.True(r.TimedOut);
            Assert.Equal(-1, r.ExitCode);
            var childPid = int.Parse(await File.ReadAllTextAsync(pidFile), System.Globalization.CultureInfo.InvariantCulture);
            Assert.False(IsAlive(childPid), $"child process {childPid} survived the kill");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_run_stops_at_the_expected_line_and_keeps_the_output()
    {
        var r = await ToolRunner.RunAsync("/bin/sh", ["-c", "echo result=7; echo ATYM-DONE; exec sleep 300"], Path.GetTempPath(),
            TimeSpan.FromSeconds(60), line => line == "ATYM-DONE", CancellationToken.None);

        Assert.True(r.StoppedAtLine);
        Assert.False(r.TimedOut);
        Assert.Contains("result=7\n", r.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_tool_reports_exit_code_and_stderr()
    {
        var ex = await Assert.ThrowsAsync<AotCompilationException>(() => ToolRunner.RunCheckedAsync("/bin/sh",
            ["-c", "echo broken input >&2; exit 3"], Path.GetTempPath(), TimeSpan.FromSeconds(30), CancellationToken.None));

        Assert.Contains("exit code 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("broken input", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_executable_is_a_tool_missing_error()
    {
        await Assert.ThrowsAsync<AotToolMissingException>(() => ToolRunner.RunAsync("/nonexistent/atym-tool", [], Path.GetTempPath(),
            TimeSpan.FromSeconds(5), null, CancellationToken.None));
    }

    private static bool IsAlive(int pid)
    {
        // A killed child may linger as a zombie until reaped by init; treat zombies as dead.
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return false;
        try
        {
            return !File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
