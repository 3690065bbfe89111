using AtymSecure.TestSupport;
using System.Security.Cryptography;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// Issue 11 §2: `atym device init` provisions a write-once counter store, and `atym device status` shows each
/// container's floor with its counter-store use.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DeviceStatusCounterStoreTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = TempFolder.Create("device-counters");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Status_of_a_new_device_shows_an_unused_counter_store_per_container()
    {
        var data = Path.Combine(_temp.Path, "dev");
        var key = Path.Combine(_temp.Path, "trusted.pub");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256)) await File.WriteAllTextAsync(key, ecdsa.ExportSubjectPublicKeyInfoPem());
        var init = await CliRunner.RunAsync("device", "init", "--data", data, "--container", "app=64K", "--trust", "compiler=" + key).WaitAsync(Deadline);
        Assert.True(init.ExitCode == 0, init.StdErr);

        var status = await CliRunner.RunAsync("device", "status", "--data", data).WaitAsync(Deadline);
        Assert.True(status.ExitCode == 0, status.StdErr);
        // The table may wrap a cell over lines: compare with the white space taken out.
        var text = string.Concat(status.StdOut.Where(c => !char.IsWhiteSpace(c) && c != '│' && c != '|'));
        Assert.Contains("0,counter0(0/256used)", text, StringComparison.Ordinal);
    }
}
