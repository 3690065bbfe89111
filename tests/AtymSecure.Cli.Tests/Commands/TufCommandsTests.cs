using AtymSecure.Formats.Crypto;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary><c>atym tuf</c> as an operator runs it: offline files the server then accepts, refusals, status, delegations from the trust policy.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TufCommandsTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private readonly TempFolder _temp = TempFolder.Create("atym-tuf");
    private readonly string? _passphrase = Environment.GetEnvironmentVariable(PassphraseSource.DefaultVariable);

    public TufCommandsTests() => Environment.SetEnvironmentVariable(PassphraseSource.DefaultVariable, "operator passphrase");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(PassphraseSource.DefaultVariable, _passphrase);
        _temp.Dispose();
    }

    private string Dir => _temp.File("offline");

    private string ServerData => _temp.File("server");

    private string OnlineKeys => Path.Combine(ServerData, "tuf", "keys");

    private static async Task<CliRunner.Result> Atym(params string[] args) => await CliRunner.RunAsync(args).WaitAsync(Deadline);

    [Fact]
    public async Task Init_delegations_and_a_root_rotation_are_accepted_by_the_server_and_status_reports_every_role()
    {
        using var online = new FileOnlineKeyStore(OnlineKeys);
        foreach (var role in OnlineRoleNames.All) online.EnsureKey(role);
        var vendorPub = _temp.File("vendor");
        await KeyGenerator.GenerateFilesAsync(vendorPub, PassphraseSource.FromValue("vendor"), SignatureAlgorithm.Ed25519);

        var init = await Atym("tuf", "init", "--dir", Dir, "--online-keys", OnlineKeys);
        var compiler = await Atym("tuf", "add-delegation", "--dir", Dir, "--compiler", "linux-x86_64", "--online-keys", OnlineKeys);
        var vendor = await Atym("tuf", "add-delegation", "--dir", Dir, "--vendor", "acme", "--key", vendorPub + ".pub", "--pattern", "sensor-*");
        Assert.True(init.ExitCode == 0, init.StdErr);
        Assert.True(compiler.ExitCode == 0, compiler.StdErr);
        Assert.True(vendor.ExitCode == 0, vendor.StdErr);

        var clock = TimeProvider.System;
        var image = new ImageRepository(Path.Combine(ServerData, "tuf", "image"), online, clock);
        var director = new UptaneDirector(Path.Combine(ServerData, "tuf", "director"), online, clock);
        image.AcceptRoot(File.ReadAllBytes(Path.Combine(Dir, "image", "1.root.json")));
        foreach (var version in new[] { 1, 2, 3 }) image.AcceptTargets(File.ReadAllBytes(Path.Combine(Dir, "image", $"{version}.targets.json")));
        director.AcceptRoot(File.ReadAllBytes(Path.Combine(Dir, "director", "1.root.json")));
        Assert.Equal(["compiler-linux-x86_64"], image.Published.Delegated.Keys);

        online.Generate(OnlineRole.Timestamp);
        var rotate = await Atym("tuf", "rotate-root", "--dir", Dir, "--new-root-key", "--online-role", "timestamp", "--online-keys", OnlineKeys);
        Assert.True(rotate.ExitCode == 0, rotate.StdErr);
        image.AcceptRoot(File.ReadAllBytes(Path.Combine(Dir, "image", "2.root.json")));
        Assert.Equal(online.Keys(OnlineRole.Timestamp)[^1].PublicKey.KeyId, Assert.Single(image.Published.Timestamp!.Signatures).KeyId);

        var status = await Atym("tuf", "status", "--data", ServerData);
        Assert.True(status.ExitCode == 0, status.StdOut + status.StdErr);
        foreach (var role in new[] { "root", "targets", "compiler-linux-x86_64", "snapshot", "timestamp" })
            Assert.Contains($"image     {role}", status.StdOut, StringComparison.Ordinal);
        Assert.Contains("director  root", status.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_in_two_roles_and_a_second_init_are_refused()
    {
        using (var online = new FileOnlineKeyStore(OnlineKeys))
            foreach (var role in OnlineRoleNames.All) online.EnsureKey(role);
        Assert.Equal(0, (await Atym("tuf", "init", "--dir", Dir, "--online-keys", OnlineKeys)).ExitCode);

        var twoRoles = await Atym("tuf", "add-delegation", "--dir", Dir, "--vendor", "acme", "--key", Path.Combine(Dir, "keys", "image-targets-1.pub"), "--pattern", "sensor-*");
        var again = await Atym("tuf", "init", "--dir", Dir, "--online-keys", OnlineKeys);

        Assert.Equal(1, twoRoles.ExitCode);
        Assert.Contains("one key never serves two roles", twoRoles.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Dir, "image", "2.targets.json")));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already holds roots", again.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_makes_a_vendor_listing_the_server_accepts_for_the_vendors_containers()
    {
        using var online = new FileOnlineKeyStore(OnlineKeys);
        foreach (var role in OnlineRoleNames.All) online.EnsureKey(role);
        var vendorKey = _temp.File("vendor");
        await KeyGenerator.GenerateFilesAsync(vendorKey, PassphraseSource.FromValue("operator passphrase"), SignatureAlgorithm.EcdsaP256Sha256);
        Assert.Equal(0, (await Atym("tuf", "init", "--dir", Dir, "--online-keys", OnlineKeys)).ExitCode);
        Assert.Equal(0, (await Atym("tuf", "add-delegation", "--dir", Dir, "--vendor", "acme", "--key", vendorKey + ".pub", "--pattern", "sensor-*")).ExitCode);
        var wasm = _temp.Write("module.wasm", [0, 0x61, 0x73, 0x6d]);

        var signed = await Atym("tuf", "sign", "--role", "vendor-acme", "--key", vendorKey + ".key", "--add", $"sources/sensor-filter/1.0.0/module.wasm={wasm}", "-o", _temp.File("vendor-acme.json"));

        Assert.True(signed.ExitCode == 0, signed.StdErr);
        var image = new ImageRepository(Path.Combine(ServerData, "tuf", "image"), online, TimeProvider.System);
        image.AcceptRoot(File.ReadAllBytes(Path.Combine(Dir, "image", "1.root.json")));
        image.AcceptTargets(File.ReadAllBytes(Path.Combine(Dir, "image", "2.targets.json")));
        image.AcceptDelegated("vendor-acme", File.ReadAllBytes(_temp.File("vendor-acme.json")));
        Assert.Single(image.Published.Delegated["vendor-acme"].Signed.Targets);
    }

    [Fact]
    public async Task Status_warns_before_an_offline_root_expires_and_alarms_when_the_server_stops_re_signing()
    {
        using var online = new FileOnlineKeyStore(OnlineKeys);
        foreach (var role in OnlineRoleNames.All) online.EnsureKey(role);

        // Roots signed 340 days ago (365 d life): 25 d left, inside the 30 d warning; the 90 d targets have expired.
        var old = _temp.File("old-offline");
        await new OfflineRepository(old, PassphraseSource.FromValue("operator passphrase"), new VirtualClock(epoch: DateTimeOffset.UtcNow.AddDays(-340)))
            .InitAsync(OnlineKeys, SignatureAlgorithm.EcdsaP256Sha256);
        var offline = await Atym("tuf", "status", "--dir", old);
        Assert.True(offline.ExitCode == 2, offline.StdOut + offline.StdErr);
        var lines = offline.StdOut.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("image     root", StringComparison.Ordinal) && l.Contains("WARNING: sign a new version offline", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("director  root", StringComparison.Ordinal) && l.Contains("WARNING: sign a new version offline", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("image     targets", StringComparison.Ordinal) && l.EndsWith("EXPIRED", StringComparison.Ordinal));

        // A server whose last timestamp was signed 20 h ago (1 d life): 4 h left, below a quarter, so re-signing has stopped.
        Assert.Equal(0, (await Atym("tuf", "init", "--dir", Dir, "--online-keys", OnlineKeys)).ExitCode);
        var image = new ImageRepository(Path.Combine(ServerData, "tuf", "image"), online, new VirtualClock(epoch: DateTimeOffset.UtcNow.AddHours(-20)));
        image.AcceptRoot(File.ReadAllBytes(Path.Combine(Dir, "image", "1.root.json")));
        image.AcceptTargets(File.ReadAllBytes(Path.Combine(Dir, "image", "1.targets.json")));
        var stalled = await Atym("tuf", "status", "--data", ServerData, "--json");
        Assert.True(stalled.ExitCode == 2, stalled.StdOut + stalled.StdErr);
        Assert.Contains(stalled.StdOut.Split('\n'), l => l.Contains("\"Role\":\"timestamp\"", StringComparison.Ordinal) && l.Contains("\"level\":\"alarm\"", StringComparison.Ordinal));
        Assert.Contains(stalled.StdOut.Split('\n'), l => l.Contains("\"Role\":\"root\"", StringComparison.Ordinal) && l.Contains("\"level\":\"ok\"", StringComparison.Ordinal));
    }

    // atym tuf delegations --from-policy on the repository's own policy set (issue 15 §3, device).
    private static readonly string Samples = RepositoryRoot.File("policies/samples");
    private static readonly string SampleKeys = Path.Combine(Samples, "keys");

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
