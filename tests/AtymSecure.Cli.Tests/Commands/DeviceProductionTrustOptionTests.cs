using System.Security.Cryptography;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// <c>atym device init --director-root F --image-root F --trust recovery=KEY</c> (docs/trust-model.md §2): next to roots
/// only recovery keys. Before, every <c>--trust</c> next to roots was refused ("not supported yet").
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DeviceProductionTrustOptionTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private readonly TempFolder _temp = TempFolder.Create("device-production-trust");
    private readonly string? _passphrase = Environment.GetEnvironmentVariable(PassphraseSource.DefaultVariable);

    public DeviceProductionTrustOptionTests() => Environment.SetEnvironmentVariable(PassphraseSource.DefaultVariable, "operator passphrase");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(PassphraseSource.DefaultVariable, _passphrase);
        _temp.Dispose();
    }

    private string Data => _temp.File("dev");

    private static async Task<CliRunner.Result> Atym(params string[] args) => await CliRunner.RunAsync(args).WaitAsync(Deadline);

    private async Task<string> Key(string name)
    {
        var key = _temp.File(name + ".pub");
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await File.WriteAllTextAsync(key, ecdsa.ExportSubjectPublicKeyInfoPem());
        return key;
    }

    /// <summary>The two root files of a fresh offline repository (<c>atym tuf init</c>), as an operator would provision.</summary>
    private async Task<string[]> Roots()
    {
        var offline = _temp.File("offline");
        var onlineKeys = _temp.File("online-keys");
        using (var online = new FileOnlineKeyStore(onlineKeys))
            foreach (var role in OnlineRoleNames.All) online.EnsureKey(role);
        var init = await Atym("tuf", "init", "--dir", offline, "--online-keys", onlineKeys);
        Assert.True(init.ExitCode == 0, init.StdErr);
        return ["--director-root", Path.Combine(offline, "director", "1.root.json"), "--image-root", Path.Combine(offline, "image", "1.root.json")];
    }

    [Fact]
    public async Task Recovery_keys_next_to_roots_are_accepted_and_status_says_production()
    {
        var roots = await Roots();
        var ops = await Key("ops");
        var init = await Atym(["device", "init", "--data", Data, "--container", "app=64K", .. roots, "--trust", $"recovery={ops}"]);
        Assert.True(init.ExitCode == 0, init.StdErr);
        Assert.Contains("trust: production", init.StdOut, StringComparison.Ordinal);
        Assert.Contains($"trusted recovery key {ops} for *", init.StdOut, StringComparison.Ordinal);

        var status = await Atym("device", "status", "--data", Data);
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Contains("trust: production", status.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vendor={key}:app")]
    [InlineData("compiler={key}")]
    public async Task A_vendor_or_compiler_key_next_to_roots_is_refused_and_nothing_is_written(string spec)
    {
        var roots = await Roots();
        var key = await Key("k");
        var ops = await Key("ops");
        var init = await Atym(["device", "init", "--data", Data, "--container", "app=64K", .. roots,
            "--trust", $"recovery={ops}", "--trust", spec.Replace("{key}", key, StringComparison.Ordinal)]);
        Assert.NotEqual(0, init.ExitCode);
        Assert.Contains("next to roots --trust accepts recovery keys alone", init.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Data));
    }
}
