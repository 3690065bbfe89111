using AtymSecure.TestSupport;

namespace AtymSecure.Interop.Tests;

/// <summary>The shared runner every interop test relies on: output, environment, failures, missing tools, hangs.</summary>
[Trait("Requires", "process")]
public sealed class ExternalToolTests
{
    [Fact]
    public async Task Output_streams_exit_code_environment_and_working_directory_reach_the_caller()
    {
        var dir = Directory.CreateTempSubdirectory("atym-tool-").FullName;
        try
        {
            var result = await ExternalTool.RunAsync("sh", ["-c", "echo out:$ATYM_X; pwd; echo err >&2; exit 3"],
                workingDirectory: dir, environment: new Dictionary<string, string> { ["ATYM_X"] = "42" });
            Assert.Equal(3, result.ExitCode);
            Assert.Equal($"out:42\n{dir}\n", result.StdOut);
            Assert.Equal("err\n", result.StdErr);
            var e = Assert.Throws<InvalidOperationException>(() => result.EnsureSuccess("the probe"));
            Assert.Contains("the probe exited 3", e.Message);
            Assert.Contains("stderr: err", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_tool_fails_with_its_name_and_what_to_install()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ExternalTool.RunAsync("atym-no-such-tool", [], installHint: "install the package 'atym-no-such-tool'"));
        Assert.Equal("'atym-no-such-tool' is not installed: install the package 'atym-no-such-tool'", e.Message);
        Assert.Contains("scripts/test-deps.sh", Assert.Throws<InvalidOperationException>(() => ExternalTool.Require("/nonexistent/tool")).Message);
    }

    [Fact]
    public async Task A_hanging_tool_is_killed_and_reported_with_its_command_line()
    {
        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            ExternalTool.RunAsync("sh", ["-c", "echo started; sleep 600"], TimeSpan.FromMilliseconds(500)));
        Assert.Contains("sh -c echo started; sleep 600 did not finish in time", e.Message);
    }

    [Fact]
    public async Task A_background_process_keeps_its_log_and_is_gone_after_a_kill()
    {
        await using var process = BackgroundProcess.Start("sh", ["-c", "echo ready; exec sleep 600"]);
        await process.WaitForLogAsync("ready", TimeSpan.FromSeconds(30));
        Assert.Equal("ready\n", process.Log);
        await process.KillAsync();
        Assert.True(process.HasExited);
        await process.KillAsync(); // a second kill is harmless
    }

    [Fact]
    public async Task Waiting_for_a_line_a_process_never_prints_fails_with_its_log()
    {
        await using var process = BackgroundProcess.Start("sh", ["-c", "echo booting; exit 4"]);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => process.WaitForLogAsync("listening", TimeSpan.FromMinutes(1)));
        Assert.Contains("exited 4 before printing 'listening'", e.Message);
        Assert.Contains("booting", e.Message);
    }
}
