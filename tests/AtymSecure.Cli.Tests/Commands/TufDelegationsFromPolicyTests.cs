using AtymSecure.Formats.Crypto;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// <c>atym tuf delegations --from-policy</c> on the repository's own policy set: it prints the golden delegations,
/// <c>--check</c> fails naming each difference from hand-typed delegations, <c>--apply</c> signs targets the server
/// accepts (compiler delegation kept), and <c>--check</c> then passes.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TufDelegationsFromPolicyTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private static readonly string Samples = RepositoryRoot.File("policies/samples");
    private static readonly string SampleKeys = Path.Combine(Samples, "keys");
    private readonly TempFolder _temp = TempFolder.Create("atym-tuf-policy");
    private readonly string? _passphrase = Environment.GetEnvironmentVariable(PassphraseSource.DefaultVariable);

    public TufDelegationsFromPolicyTests() => Environment.SetEnvironmentVariable(PassphraseSource.DefaultVariable, "operator passphrase");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(PassphraseSource.DefaultVariable, _passphrase);
        _temp.Dispose();
    }

    private string Dir => _temp.File("offline");

    private string ServerData => _temp.File("server");

    private string OnlineKeys => Path.Combine(ServerData, "tuf", "keys");

    private static async Task<CliRunner.Result> Atym(params string[] args) => await CliRunner.RunAsync(args).WaitAsync(Deadline);

    private Task<CliRunner.Result> Delegations(params string[] more) =>
        Atym(["tuf", "delegations", "--from-policy", Samples, "--keys", SampleKeys, "--dir", Dir, .. more]);

    [Fact]
    public async Task Printing_gives_the_golden_delegations_of_the_samples()
    {
        var printed = await Delegations();

        Assert.True(printed.ExitCode == 0, printed.StdErr);
        Assert.Equal(File.ReadAllText(RepositoryRoot.File("tests/AtymSecure.Policies.Tests/Golden/delegations/samples.txt")),
            printed.StdOut.Replace(Samples, "policies/samples", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_names_each_difference_apply_signs_targets_the_server_accepts_and_check_then_agrees()
    {
        using var online = new FileOnlineKeyStore(OnlineKeys);
        foreach (var role in OnlineRoleNames.All) online.EnsureKey(role);
        var vendor = _temp.File("rogue");
        await KeyGenerator.GenerateFilesAsync(vendor, PassphraseSource.FromValue("rogue"), SignatureAlgorithm.Ed25519);
        Assert.Equal(0, (await Atym("tuf", "init", "--dir", Dir, "--online-keys", OnlineKeys)).ExitCode);
        Assert.Equal(0, (await Atym("tuf", "add-delegation", "--dir", Dir, "--compiler", "linux-x86_64", "--online-keys", OnlineKeys)).ExitCode);
        // Typed by hand: a vendor no rule implies, and a samples delegation with the wrong key.
        Assert.Equal(0, (await Atym("tuf", "add-delegation", "--dir", Dir, "--vendor", "acme", "--key", vendor + ".pub", "--pattern", "sensor-*")).ExitCode);
        Assert.Equal(0, (await Atym("tuf", "add-delegation", "--dir", Dir, "--vendor", "samples", "--key", vendor + ".pub", "--pattern", "*")).ExitCode);

        var before = await Delegations("--check");

        Assert.Equal(2, before.ExitCode);
        Assert.Contains("DIFFERS: vendor-faulty is missing from the signed targets", before.StdOut, StringComparison.Ordinal);
        Assert.Contains("DIFFERS: vendor-sensor-filter is missing from the signed targets", before.StdOut, StringComparison.Ordinal);
        Assert.Contains("DIFFERS: vendor-samples trusts keys", before.StdOut, StringComparison.Ordinal);
        Assert.Contains("DIFFERS: vendor-acme is in the signed targets but no trust rule implies it", before.StdOut, StringComparison.Ordinal);

        var apply = await Delegations("--apply");
        Assert.True(apply.ExitCode == 0, apply.StdOut + apply.StdErr);
        Assert.Contains("Signed ", apply.StdOut, StringComparison.Ordinal);

        var after = await Delegations("--check");
        Assert.True(after.ExitCode == 0, after.StdOut + after.StdErr);
        Assert.Contains("agree with the policy", after.StdOut, StringComparison.Ordinal);

        // The server takes every targets version, and what it publishes delegates what the policy says, in its order.
        var image = new ImageRepository(Path.Combine(ServerData, "tuf", "image"), online, TimeProvider.System);
        image.AcceptRoot(File.ReadAllBytes(Path.Combine(Dir, "image", "1.root.json")));
        foreach (var file in Directory.GetFiles(Path.Combine(Dir, "image"), "*.targets.json").Order(StringComparer.Ordinal))
            image.AcceptTargets(File.ReadAllBytes(file));
        var roles = image.Published.TopLevel!.Signed.Delegations!.Roles.Select(r => r.Name).ToList();
        Assert.Equal(["compiler-linux-x86_64", "vendor-faulty", "vendor-sensor-filter", "vendor-samples"], roles);
    }
}
