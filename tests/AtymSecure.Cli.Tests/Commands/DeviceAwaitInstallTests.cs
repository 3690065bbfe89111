using System.Security.Cryptography;
using AtymSecure.DeviceAgent;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// <c>atym device await-install</c>: the verb maps <see cref="InstallAwaiter"/>'s verdict to its exit code and stderr
/// (the waiting itself against a running agent: DeviceAgent's InboxOfflineExportTests and the SWUpdate chain test). The
/// status lines here are written as the agent writes them (status.json via <see cref="DeviceStatus.Save"/>).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DeviceAwaitInstallTests : IDisposable
{
    private const string File = "20261204T220000-atym-export-0123456789ab.tar";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = TempFolder.Create("device-await");

    public void Dispose() => _temp.Dispose();

    private string Data => Path.Combine(_temp.Path, "dev");

    private async Task InitAsync(params InstallStatus[] installs)
    {
        var key = Path.Combine(_temp.Path, "trusted.pub");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256)) await System.IO.File.WriteAllTextAsync(key, ecdsa.ExportSubjectPublicKeyInfoPem());
        var init = await CliRunner.RunAsync("device", "init", "--data", Data, "--container", "app=64K", "--trust", "compiler=" + key).WaitAsync(Deadline);
        Assert.True(init.ExitCode == 0, init.StdErr);
        if (installs.Length > 0) new DeviceStatus { Installs = [.. installs] }.Save(new DeviceDirectory(Data));
    }

    private static InstallStatus Line(InstallResult result, string detail) =>
        new(DateTimeOffset.UtcNow, "offline export " + File, null, null, result, null, detail);

    [Fact]
    public async Task A_refusal_exits_4_with_the_reason_code_on_stderr()
    {
        await InitAsync(Line(InstallResult.Refused, "wrong-device: exported for 1 other device(s) (atym-00000000000000ff)"));
        var result = await CliRunner.RunAsync("device", "await-install", "--data", Data, "--file", File, "--timeout", "30s").WaitAsync(Deadline);
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("atym: install refused: wrong-device: exported for 1 other device(s)", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_up_to_date_export_exits_0_with_the_verdict_on_stdout()
    {
        await InitAsync(Line(InstallResult.Installed, StagedExportInstaller.UpToDateDetail));
        var result = await CliRunner.RunAsync("device", "await-install", "--data", Data, "--file", File).WaitAsync(Deadline);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains($"{File}: up to date", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_verdict_in_time_exits_6_and_says_what_was_awaited()
    {
        await InitAsync();
        var result = await CliRunner.RunAsync("device", "await-install", "--data", Data, "--file", File, "--timeout", "0s").WaitAsync(Deadline);
        Assert.Equal(6, result.ExitCode);
        Assert.Contains("atym: install timed out: timed-out: after 00:00:00:", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--timeout", "ten minutes")]
    [InlineData("--file", "../status.json")]
    public async Task A_bad_timeout_or_file_name_is_an_error_not_a_wait(string option, string value)
    {
        await InitAsync();
        var args = new List<string> { "device", "await-install", "--data", Data, "--file", File, "--timeout", "1m" };
        args[args.IndexOf(option) + 1] = value;
        var result = await CliRunner.RunAsync([.. args]).WaitAsync(Deadline);
        Assert.NotEqual(0, result.ExitCode);
        Assert.True(result.ExitCode is not (4 or 5 or 6), $"{result.ExitCode}: {result.StdErr}");
        Assert.Contains(option == "--timeout" ? "is not a duration" : "is not an inbox file name", result.StdErr, StringComparison.Ordinal);
    }
}
