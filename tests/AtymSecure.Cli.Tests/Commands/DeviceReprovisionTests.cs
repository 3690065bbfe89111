using System.Security.Cryptography;
using AtymSecure.DeviceAgent;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// Issue 11 §2: <c>atym device reprovision</c>, the operator's way out of recovery. Refused on a healthy device (its
/// state log would be lost); on a device in recovery (its bootloader.key replaced) it formats a fresh state log, after
/// which status is healthy again with every container empty.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DeviceReprovisionTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = TempFolder.Create("device-reprovision");

    public void Dispose() => _temp.Dispose();

    private string Data => Path.Combine(_temp.Path, "dev");

    [Fact]
    public async Task Reprovision_is_refused_on_a_healthy_device_and_takes_a_device_in_recovery_back_to_a_fresh_log()
    {
        var key = Path.Combine(_temp.Path, "trusted.pub");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256)) await File.WriteAllTextAsync(key, ecdsa.ExportSubjectPublicKeyInfoPem());
        var init = await CliRunner.RunAsync("device", "init", "--data", Data, "--container", "app=64K", "--trust", "compiler=" + key).WaitAsync(Deadline);
        Assert.True(init.ExitCode == 0, init.StdErr);
        var directory = new DeviceDirectory(Data);
        var healthyFlash = await File.ReadAllBytesAsync(directory.FlashFile);

        var healthy = await CliRunner.RunAsync("device", "reprovision", "--data", Data).WaitAsync(Deadline);
        Assert.Equal(1, healthy.ExitCode);
        Assert.Contains("reprovision refused: the device is not in recovery", healthy.StdErr, StringComparison.Ordinal);
        Assert.Equal(healthyFlash, await File.ReadAllBytesAsync(directory.FlashFile));

        await File.WriteAllBytesAsync(directory.BootKeyFile, RandomNumberGenerator.GetBytes(32));
        Assert.Equal(3, (await CliRunner.RunAsync("device", "status", "--data", Data).WaitAsync(Deadline)).ExitCode);

        var reprovisioned = await CliRunner.RunAsync("device", "reprovision", "--data", Data).WaitAsync(Deadline);
        Assert.True(reprovisioned.ExitCode == 0, reprovisioned.StdErr);
        Assert.Contains("Re-provisioned", reprovisioned.StdOut, StringComparison.Ordinal);
        var status = await CliRunner.RunAsync("device", "status", "--data", Data).WaitAsync(Deadline);
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.DoesNotContain("RECOVERY", status.StdErr, StringComparison.Ordinal);
        Assert.Contains("empty", status.StdOut, StringComparison.Ordinal);
    }
}
