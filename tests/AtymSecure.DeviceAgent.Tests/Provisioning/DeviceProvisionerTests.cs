using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Tests.Provisioning;

public sealed class DeviceProvisionerTests : IDisposable
{
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("atym-provision-").FullName;
    private readonly TestBundles _keys;

    public DeviceProvisionerTests() => _keys = new TestBundles(Path.Combine(_root, "keys"));

    public void Dispose()
    {
        _keys.Dispose();
        System.IO.Directory.Delete(_root, recursive: true);
    }

    private DeviceInitRequest Request(string profile = DeviceProfile.Host, string[]? keys = null) =>
        new(profile, [new ContainerSlotPlan("sensor-filter", 0)], [.. (keys ?? [_keys.PublicKeyFile]).Select(k => new TrustedKeySpec("compiler", k, null))]);

    [Fact]
    public void Init_writes_identity_keys_and_a_provisioned_flash()
    {
        var dir = new DeviceDirectory(Path.Combine(_root, "dev"));
        var identity = DeviceProvisioner.Init(dir, Request());
        Assert.StartsWith("atym-", identity.DeviceId, StringComparison.Ordinal);
        Assert.Equal(DeviceProfile.Find(DeviceProfile.Host).DefaultSlotBytes, identity.Containers[0].SlotBytes);
        foreach (var f in new[] { dir.IdentityFile, dir.FlashFile, dir.BootKeyFile, dir.IdentityKeyFile, dir.IdentityPublicKeyFile, dir.StatusFile })
            Assert.True(File.Exists(f), f);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.BootKeyFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.IdentityKeyFile));
        }
        // One key file, trust.json with its scope and trust.json.mac.
        Assert.Equal(3, System.IO.Directory.GetFiles(dir.TrustedKeysDirectory).Length);
        Assert.True(File.Exists(dir.TrustFile + ".mac"));
        Assert.Equal("compiler", Assert.Single(DeviceTrustFile.Parse(File.ReadAllBytes(dir.TrustFile)).Keys).Role);
        Assert.Equal(ContainerState.Empty, DeviceStatusQuery.Read(dir.Root).Containers.Single().State);
        Assert.Empty(System.IO.Directory.GetDirectories(_root, ".dev.init-*", SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public void Init_refuses_an_existing_device_and_leaves_it_alone()
    {
        var dir = new DeviceDirectory(Path.Combine(_root, "dev"));
        DeviceProvisioner.Init(dir, Request());
        var before = File.ReadAllBytes(dir.IdentityFile);
        Assert.Contains("not empty", Assert.Throws<DeviceDataException>(() => DeviceProvisioner.Init(dir, Request())).Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(dir.IdentityFile));
    }

    [Theory]
    [InlineData("mcu-cortex-m4", "wasm2c")]
    [InlineData("vax", "unknown device profile")]
    public void Profiles_this_runtime_cannot_run_are_refused(string profile, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceProvisioner.Init(new DeviceDirectory(Path.Combine(_root, "x")), Request(profile)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.False(System.IO.Directory.Exists(Path.Combine(_root, "x")));
    }

    [Fact]
    public void An_invalid_container_plan_is_refused_with_each_problem_and_nothing_is_written()
    {
        var request = new DeviceInitRequest(DeviceProfile.Host, [new ContainerSlotPlan("my.app", 0), new ContainerSlotPlan("ok", 100)], [new TrustedKeySpec("compiler", _keys.PublicKeyFile, null)]);
        var e = Assert.Throws<ProblemException>(() => DeviceProvisioner.Init(new DeviceDirectory(Path.Combine(_root, "x")), request));
        Assert.Equal([(ConfigProblemCodes.InvalidName, "containers[0].name"), (DeviceIdentityProblemCodes.SlotSizeOutOfRange, "containers[1].slotBytes")],
            e.Problems.Select(p => (p.Code, p.Path)));
        Assert.StartsWith("invalid device plan (2 problems):", e.Message, StringComparison.Ordinal);
        Assert.False(System.IO.Directory.Exists(Path.Combine(_root, "x")));
    }

    [Fact]
    public void A_device_needs_a_usable_trusted_key()
    {
        Assert.Contains("at least one", Assert.Throws<DeviceDataException>(
            () => DeviceProvisioner.Init(new DeviceDirectory(Path.Combine(_root, "a")), Request(keys: []))).Message, StringComparison.Ordinal);
        var junk = Path.Combine(_root, "junk.pub");
        File.WriteAllText(junk, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        Assert.Contains("junk.pub", Assert.Throws<DeviceDataException>(
            () => DeviceProvisioner.Init(new DeviceDirectory(Path.Combine(_root, "b")), Request(keys: [junk]))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opening_a_folder_that_is_not_a_device_says_so()
    {
        var e = Assert.Throws<DeviceDataException>(() => LocalDevice.Open(_root));
        Assert.Contains("atym device init", e.Message, StringComparison.Ordinal);
    }
    [Fact]
    public void A_device_json_whose_class_disagrees_with_its_profile_is_refused_at_open()
    {
        // Issue 11 §6: before, such a device opened and the bootloader accepted bundles for a class the runtime cannot execute.
        var dir = new DeviceDirectory(Path.Combine(_root, "dev"));
        var identity = DeviceProvisioner.Init(dir, Request("portable-pulley64"));
        var other = DeviceProfile.Find(DeviceProfile.Host).DeviceClass.Name == "portable-pulley64" ? "linux-x86_64" : DeviceProfile.Find(DeviceProfile.Host).DeviceClass.Name;
        File.WriteAllBytes(dir.IdentityFile, (identity with { DeviceClass = other }).ToJson());

        var e = Assert.Throws<DeviceDataException>(() => LocalDevice.Open(dir.Root));
        Assert.Equal($"device.json: deviceClass '{other}' disagrees with profile 'portable-pulley64', whose device class is 'portable-pulley64'", e.Message);
        using var reopened = ReopenAfterRepair(dir, identity);
        Assert.Equal("portable-pulley64", reopened.Identity.DeviceClass);
    }

    private static LocalDevice ReopenAfterRepair(DeviceDirectory dir, DeviceIdentity identity)
    {
        File.WriteAllBytes(dir.IdentityFile, identity.ToJson());
        return LocalDevice.Open(dir.Root);
    }
}
