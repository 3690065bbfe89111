using System.Security.Cryptography;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Tests.Provisioning;

/// <summary>
/// <c>atym device init --trust ROLE=KEY[:PATTERN]</c> (docs/trust-model.md §2) and what power-on reads back, including
/// folders of before key scopes. Before this change init took bare keys and every device trusted them for everything.
/// </summary>
public sealed class DeviceTrustTests : IDisposable
{
    private const string LegacyKeyFile = "Z2HMl8RyM1oKwZK6-1k4xfdKa1rcW5Ww3JSlKespuTA.pub";
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("atym-trust-").FullName;
    private readonly TestBundles _bundles;
    private readonly ECDsa _acme = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _ops = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public DeviceTrustTests() => _bundles = new TestBundles(Path.Combine(_root, "keys"));

    public void Dispose()
    {
        _bundles.Dispose();
        _acme.Dispose();
        _ops.Dispose();
        System.IO.Directory.Delete(_root, recursive: true);
    }

    private DeviceDirectory Init(string name, params string[] trust) => Init(name, out _, trust);

    private DeviceDirectory Init(string name, out DeviceIdentity identity, params string[] trust)
    {
        var dir = new DeviceDirectory(Path.Combine(_root, name));
        identity = DeviceProvisioner.Init(dir, new DeviceInitRequest(DeviceProfile.Host, [new ContainerSlotPlan("sensor-filter", 0)], [.. trust.Select(TrustedKeySpec.Parse)]));
        return dir;
    }

    [Fact]
    public void Init_files_each_key_with_its_role_and_pattern_and_power_on_reads_them_back()
    {
        var acme = _bundles.PublicKeyFileOf(_acme, "acme");
        var ops = _bundles.PublicKeyFileOf(_ops, "ops");
        var dir = Init("dev", $"vendor={acme}:acme-*,sensor-filter", $"compiler={_bundles.PublicKeyFile}", $"recovery={ops}");
        using var device = LocalDevice.Open(dir.Root);
        Assert.Equal(DeviceTrustFile.Development, device.BundleTrust.Mode);
        Assert.Equal(BundleTrustAnchors.Of(
            TrustedBundleKey.Vendor(VerificationKey.FromFile(acme), ContainerNamePattern.Parse("acme-*,sensor-filter")),
            TrustedBundleKey.Compiler(VerificationKey.FromFile(_bundles.PublicKeyFile)),
            TrustedBundleKey.Recovery(VerificationKey.FromFile(ops))), device.BundleTrust.Anchors);
        Assert.Equal(["compiler", "recovery", "vendor"], DeviceTrustFile.Parse(File.ReadAllBytes(dir.TrustFile)).Keys.Select(k => k.Role).Order());
        Assert.Equal(DeviceTrustFile.Development, DeviceStatusQuery.Read(dir.Root).Trust);
    }

    [Theory]
    [InlineData("{key}", "has no role", TrustAnchorProblemCodes.InvalidRole)]
    [InlineData("owner={key}", "is not a role", TrustAnchorProblemCodes.InvalidRole)]
    [InlineData("vendor={key}", "a vendor key needs the container names", TrustAnchorProblemCodes.PatternRequired)]
    [InlineData("vendor={key}:Acme", "has 'A'", TrustAnchorProblemCodes.InvalidPattern)]
    [InlineData("recovery={key}", "at least one vendor or compiler key", TrustAnchorProblemCodes.NoBundleKey)]
    public void Init_refuses_a_key_without_a_usable_scope_and_writes_nothing(string spec, string expected, string code)
    {
        var e = Assert.Throws<ProblemException>(() => Init("x", spec.Replace("{key}", _bundles.PublicKeyFile, StringComparison.Ordinal)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(e.Problems, p => p.Code == code);
        if (code == TrustAnchorProblemCodes.InvalidRole && !spec.Contains('=', StringComparison.Ordinal))
            Assert.Contains(BundleKeyRoles.Forms, e.Message, StringComparison.Ordinal);
        Assert.False(System.IO.Directory.Exists(Path.Combine(_root, "x")));
    }

    [Fact]
    public void Init_refuses_one_key_in_two_roles() =>
        Assert.Contains(Assert.Throws<ProblemException>(() => Init("x", $"compiler={_bundles.PublicKeyFile}", $"vendor={_bundles.PublicKeyFile}:*")).Problems,
            p => p.Code == TrustAnchorProblemCodes.DuplicateKey);

    [Fact]
    public void A_key_file_swapped_for_another_key_stops_power_on()
    {
        var dir = Init("dev", $"compiler={_bundles.PublicKeyFile}");
        var filed = Assert.Single(System.IO.Directory.GetFiles(dir.TrustedKeysDirectory, "*.pub"));
        File.WriteAllText(filed, _acme.ExportSubjectPublicKeyInfoPem());
        Assert.Contains("not the key its name says", Assert.Throws<DeviceDataException>(() => LocalDevice.Open(dir.Root).Dispose()).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The golden folder of before key scopes (bare trusted/*.pub): status and power-on still work, but reading its key as
    /// compiler=* would keep the weakness scopes remove, so every install is refused with the way out named.
    /// </summary>
    [Fact]
    public void A_folder_of_before_key_scopes_opens_answers_status_and_refuses_every_install_until_re_provisioned()
    {
        var root = CopyOfGolden("device-v1");
        Assert.Equal(DeviceTrust.Unscoped, DeviceStatusQuery.Read(root).Trust);
        using var device = LocalDevice.Open(root);
        Assert.Null(device.BundleTrust.Anchors);
        var install = AtymSecure.DeviceAgent.Updates.BundleFileInstaller.Install(device, _bundles.Full(TestBundles.Image("sensor-filter"), deviceClass: "portable-pulley64"));
        Assert.Equal(InstallResult.Refused, install.Result);
        Assert.Contains("untrusted-signer", install.Detail, StringComparison.Ordinal);
        Assert.Contains("re-provision it with `atym device init --trust ROLE=KEY[:PATTERN]`", install.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// The golden folder of before the MAC (trust.json format 1, no trust.json.mac): its trust.json still parses, but an
    /// attacker could have deleted the MAC and edited it, so the device opens in recovery and refuses every install.
    /// </summary>
    [Fact]
    public void The_golden_folder_with_trust_json_but_no_mac_opens_and_refuses_installs_as_recovery_state()
    {
        var root = CopyOfGolden("device-v2-scoped");
        var file = DeviceTrustFile.Parse(File.ReadAllBytes(new DeviceDirectory(root).TrustFile));
        Assert.Equal(new DeviceTrustEntry("compiler", LegacyKeyFile, "*"), Assert.Single(file.Keys));
        using var device = LocalDevice.Open(root);
        Assert.Equal(DeviceTrust.Recovery, device.BundleTrust.Mode);
        Assert.Contains("has no MAC", device.BundleTrust.Damage, StringComparison.Ordinal);
        var install = AtymSecure.DeviceAgent.Updates.BundleFileInstaller.Install(device, _bundles.Full(TestBundles.Image("sensor-filter"), deviceClass: "portable-pulley64"));
        Assert.Equal(InstallResult.Refused, install.Result);
        Assert.StartsWith(AtymSecure.Formats.ReasonCodes.RecoveryState + ":", install.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// trust-model §4: trust.json is MAC'd with a key derived from bootloader.key. Before, each of these edits was read
    /// and believed at power-on (a widened vendor pattern, a vendor key added by hand, a trust.json of another device).
    /// </summary>
    [Theory]
    [InlineData("widen")]
    [InlineData("add-key")]
    [InlineData("swap")]
    [InlineData("remove-mac")]
    public void Trust_json_edited_by_hand_opens_in_recovery_and_refuses_every_install(string edit)
    {
        var acme = _bundles.PublicKeyFileOf(_acme, "acme");
        var dir = Init("dev", $"vendor={acme}:acme-*");
        var entries = DeviceTrustFile.Parse(File.ReadAllBytes(dir.TrustFile)).Keys.ToList();
        switch (edit)
        {
            case "widen":
                entries[0] = entries[0] with { Pattern = "*" };
                File.WriteAllBytes(dir.TrustFile, new DeviceTrustFile(DeviceTrustFile.Development, [.. entries]).ToJson());
                break;
            case "add-key":
                var added = VerificationKey.FromFile(_bundles.PublicKeyFile);
                var name = DeviceProvisioner.FileNameOf(added) + ".pub";
                File.Copy(_bundles.PublicKeyFile, Path.Combine(dir.TrustedKeysDirectory, name));
                entries.Add(new DeviceTrustEntry("compiler", name, "*"));
                File.WriteAllBytes(dir.TrustFile, new DeviceTrustFile(DeviceTrustFile.Development, [.. entries]).ToJson());
                break;
            case "swap":
                // Another device's trust.json and MAC: its MAC key comes from another bootloader.key.
                var other = Init("other", $"compiler={_bundles.PublicKeyFile}");
                foreach (var f in System.IO.Directory.GetFiles(dir.TrustedKeysDirectory)) File.Delete(f);
                foreach (var f in System.IO.Directory.GetFiles(other.TrustedKeysDirectory)) File.Copy(f, Path.Combine(dir.TrustedKeysDirectory, Path.GetFileName(f)));
                break;
            case "remove-mac":
                File.Delete(dir.TrustFile + ".mac");
                break;
        }

        using var device = LocalDevice.Open(dir.Root);
        Assert.Equal((DeviceTrust.Recovery, (BundleTrustAnchors?)null), (device.BundleTrust.Mode, device.BundleTrust.Anchors));
        // The bundle the edit was for: signed by the added compiler key (or the vendor key outside its pattern).
        var signer = edit is "add-key" or "swap" ? null : _acme;
        var install = AtymSecure.DeviceAgent.Updates.BundleFileInstaller.Install(device, _bundles.Full(TestBundles.Image("sensor-filter"), signer: signer));
        Assert.Equal(InstallResult.Refused, install.Result);
        Assert.StartsWith(AtymSecure.Formats.ReasonCodes.RecoveryState + ": trusted/trust.json", install.Detail, StringComparison.Ordinal);
        Assert.Contains("re-provision", install.Detail, StringComparison.Ordinal);
        Assert.Equal(DeviceTrust.Recovery, DeviceStatusQuery.Read(dir.Root).Trust);
    }

    [Fact]
    public void Trust_json_as_init_wrote_it_verifies_and_a_replaced_bootloader_key_fails_it()
    {
        var dir = Init("dev", $"compiler={_bundles.PublicKeyFile}");
        using (var device = LocalDevice.Open(dir.Root)) Assert.Null(device.BundleTrust.Damage);
        Assert.Null(DeviceTrust.Load(dir, File.ReadAllBytes(dir.BootKeyFile)).Damage);
        Assert.Contains("fails its MAC", DeviceTrust.Load(dir, new byte[32]).Damage, StringComparison.Ordinal);
    }

    private string CopyOfGolden(string name)
    {
        var golden = Path.Combine(AppContext.BaseDirectory, "Provisioning", "Golden", name);
        var root = Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var file in System.IO.Directory.EnumerateFiles(golden, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(golden, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var directory = new DeviceDirectory(root);
        System.IO.Directory.CreateDirectory(directory.InboxDirectory);
        System.IO.Directory.CreateDirectory(directory.KeyValueDirectory);
        return root;
    }
}
