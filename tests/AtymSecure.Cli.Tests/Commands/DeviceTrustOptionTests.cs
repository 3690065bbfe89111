using System.Security.Cryptography;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// <c>atym device init --trust ROLE=KEY[:PATTERN]</c> (docs/trust-model.md §2). Before key scopes <c>--trust KEY</c>
/// made a device that trusted the key for every container and every code kind; now that form is refused.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DeviceTrustOptionTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = TempFolder.Create("device-trust");

    public void Dispose() => _temp.Dispose();

    private string Data => Path.Combine(_temp.Path, "dev");

    private async Task<string> Key(string name)
    {
        var key = Path.Combine(_temp.Path, name + ".pub");
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await File.WriteAllTextAsync(key, ecdsa.ExportSubjectPublicKeyInfoPem());
        return key;
    }

    [Fact]
    public async Task A_bare_trusted_key_is_refused_naming_the_three_role_forms_and_nothing_is_written()
    {
        var key = await Key("dev");
        var r = await CliRunner.RunAsync("device", "init", "--data", Data, "--container", "app=64K", "--trust", key).WaitAsync(Deadline);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("atym: trusted key", r.StdErr, StringComparison.Ordinal);
        foreach (var form in new[] { "vendor=KEY:PATTERN", "compiler=KEY[:PATTERN]", "recovery=KEY[:PATTERN]" })
            Assert.Contains(form, r.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Data));

        var vendorWithoutPattern = await CliRunner.RunAsync("device", "init", "--data", Data, "--container", "app=64K", "--trust", "vendor=" + key).WaitAsync(Deadline);
        Assert.Equal(1, vendorWithoutPattern.ExitCode);
        Assert.Contains("a vendor key needs the container names it may sign", vendorWithoutPattern.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Data));
    }

    [Fact]
    public async Task Scoped_keys_are_listed_at_init_and_status_says_trust_development()
    {
        var vendor = await Key("acme");
        var recovery = await Key("ops");
        var init = await CliRunner.RunAsync("device", "init", "--data", Data, "--container", "app=64K",
            "--trust", $"vendor={vendor}:app,acme-*", "--trust", $"recovery={recovery}").WaitAsync(Deadline);
        Assert.True(init.ExitCode == 0, init.StdErr);
        Assert.Contains("trust: development", init.StdOut, StringComparison.Ordinal);
        Assert.Contains($"trusted vendor key {vendor} for app,acme-*", init.StdOut, StringComparison.Ordinal);
        Assert.Contains($"trusted recovery key {recovery} for *", init.StdOut, StringComparison.Ordinal);

        var status = await CliRunner.RunAsync("device", "status", "--data", Data).WaitAsync(Deadline);
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Contains("trust: development", status.StdOut, StringComparison.Ordinal);
        // What init wrote for the device's status.json (the JSON of `status --json` goes to the raw stdout stream).
        var written = AtymSecure.DeviceAgent.Status.DeviceStatus.Parse(await File.ReadAllBytesAsync(new AtymSecure.DeviceAgent.DeviceDirectory(Data).StatusFile));
        Assert.Equal("development", written.Trust);
    }
}
