using System.Security.Cryptography;
using AtymSecure.Bootloader;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.FilePort;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Formats.Crypto;

namespace AtymSecure.DeviceAgent.Tests.Provisioning;

/// <summary>
/// A device folder as `atym device init` made it (format 1), committed once and kept forever
/// (Provisioning/Golden/device-v1): device.json, the identity key pair, the bootloader key, a trusted
/// vendor key, status.json and the provisioned flash file. Today's readers must open it with the same
/// values and today's writers must produce the same bytes from those values (the flash file: Golden/flash-table-v2.img,
/// since `device init` writes a v2 partition table with a counter store; Golden/flash-state-v2.img, v1 table and v2 state
/// log, and device-v1/flash.img, v1 table and v1 state log, still open); damaged copies are refused with the reason.
/// </summary>
public sealed class DeviceFolderGoldenTests : IDisposable
{
    private const string DeviceId = "atym-23543a105a5de69c";
    private const string TrustedKeyFile = "Z2HMl8RyM1oKwZK6-1k4xfdKa1rcW5Ww3JSlKespuTA.pub";
    private static readonly string GoldenRoot = Path.Combine(AppContext.BaseDirectory, "Provisioning", "Golden");
    private static readonly string GoldenDevice = Path.Combine(GoldenRoot, "device-v1");
    private readonly TempFolder _temp = TempFolder.Create("device-golden");

    public void Dispose() => _temp.Dispose();

    private static byte[] Golden(string relative) => File.ReadAllBytes(Path.Combine(GoldenRoot, relative));

    [Fact]
    public void Golden_device_json_reads_to_its_values_and_writes_back_byte_for_byte()
    {
        var bytes = Golden("device-v1/device.json");
        var identity = DeviceIdentity.Parse(bytes);
        Assert.Equal((DeviceId, "portable-pulley64", "portable-pulley64", "spinor"), (identity.DeviceId, identity.Profile, identity.DeviceClass, identity.Flash));
        Assert.Equal([new ContainerSlotPlan("app", 8192)], identity.Containers);
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero), identity.CreatedUtc);
        Assert.Equal(bytes, identity.ToJson());
    }

    [Fact]
    public void Golden_identity_key_pair_belongs_together_and_names_the_device()
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(System.Text.Encoding.ASCII.GetString(Golden("device-v1/identity.key")));
        Assert.Equal(256, key.KeySize);
        Assert.Equal(Golden("device-v1/identity.key"), System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        Assert.Equal(Golden("device-v1/identity.pub"), System.Text.Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem()));
        Assert.Equal(DeviceId, "atym-" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16]);
    }

    [Fact]
    public void Golden_trusted_key_reads_and_is_filed_under_its_key_id()
    {
        var path = Path.Combine(GoldenDevice, "trusted", TrustedKeyFile);
        var key = VerificationKey.FromFile(path);
        Assert.Equal(TrustedKeyFile, DeviceProvisioner.FileNameOf(key) + ".pub");
        Assert.Equal(File.ReadAllBytes(path), System.Text.Encoding.ASCII.GetBytes(key.ToPem()));
    }

    [Fact]
    public void Golden_status_of_a_new_device_reads_and_writes_back_byte_for_byte()
    {
        var bytes = Golden("device-v1/status.json");
        var status = DeviceStatus.Parse(bytes);
        Assert.Equal((DeviceId, "portable-pulley64"), (status.DeviceId, status.Profile));
        Assert.Empty(status.Containers);
        Assert.Null(status.LastBoot);
        Assert.Equal(bytes, status.ToJson());
    }

    /// <summary>What today's provisioning writes for the golden device and key.</summary>
    private byte[] ProvisionedFlash()
    {
        var identity = DeviceIdentity.Parse(Golden("device-v1/device.json"));
        var table = DeviceProvisioner.PlanLayout(identity, FlashProfile.Find(identity.Flash), out var geometry);
        var path = _temp.File("flash.img");
        using (var flash = FileBackedFlash.Create(path, geometry))
        {
            DeviceBootloader.Provision(flash, table);
            DeviceBootloader.Open(flash, DeviceKey.FromBytes(Golden("device-v1/bootloader.key")), new BootloaderOptions { DeviceClass = identity.DeviceClass });
        }
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void Golden_flash_file_with_a_v2_partition_table_is_what_todays_provisioning_writes_for_that_device_and_key() =>
        Assert.Equal(Golden("flash-table-v2.img"), ProvisionedFlash());

    [Fact]
    public void Golden_flash_file_of_before_the_counter_store_opens_as_a_device_with_log_only_floors()
    {
        var path = _temp.File("flash-state-v2.img");
        File.Copy(Path.Combine(GoldenRoot, "flash-state-v2.img"), path);
        using var flash = FileBackedFlash.OpenReadOnly(path);
        Assert.Equal(PartitionTableCodec.Version, PartitionTableStore.Read(flash).Version);
        var bl = DeviceBootloader.OpenReadOnly(flash, DeviceKey.FromBytes(Golden("device-v1/bootloader.key")), new BootloaderOptions { DeviceClass = "portable-pulley64" });
        Assert.False(bl.HasCounterStore);
        Assert.Null(bl.CounterStore("app"));
        Assert.Equal(ContainerState.Empty, bl.State("app").State);
    }

    [Fact]
    public void Golden_flash_file_of_before_state_record_v2_differs_only_in_its_state_log_header_and_still_reads()
    {
        // device-v1/flash.img was provisioned when the state log was v1: the same bytes as flash-state-v2.img (also a v1
        // partition table) but for the first half's header, a v1 record (192 bytes) where a v2 log has a v2 one (288 bytes).
        var old = Golden("device-v1/flash.img");
        var today = Golden("flash-state-v2.img");
        Assert.Equal(old.Length, today.Length);
        var differing = Enumerable.Range(0, old.Length).Where(i => old[i] != today[i]).ToArray();
        Assert.NotEmpty(differing);
        Assert.True(differing[^1] - differing[0] < StateRecordCodec.MaxRecordSize, $"bytes {differing[0]}..{differing[^1]} differ");
        var headerAt = differing[0] - 4; // the magic "ASR1" is the same in both; the format byte after it is the first to differ
        Assert.Equal("ASR1"u8.ToArray(), old[headerAt..(headerAt + 4)]);
        Assert.Equal(((byte)StateRecordFormat.V1, (byte)StateRecordFormat.V2), (old[headerAt + 4], today[headerAt + 4]));
    }

    [Fact]
    public void The_golden_folder_opens_as_a_device_with_one_empty_container()
    {
        var root = CopyOfGoldenDevice();
        using var device = LocalDevice.Open(root);
        Assert.Equal(DeviceId, device.Identity.DeviceId);
        Assert.Null(device.Status.LoadProblem);
        Assert.Equal(["app"], device.ContainerNames);
        var app = Assert.Single(device.SlotStatus());
        Assert.Equal((ContainerState.Empty, SlotId.None, SlotId.None), (app.State, app.ConfirmedSlot, app.TrialSlot));
        // Provisioned before the counter store (v1 partition table): floors live in the state log only, and status says so.
        Assert.Null(app.CounterStore);
    }

    [Theory]
    [InlineData("device-v1-truncated-negative.json", "not valid JSON")]
    [InlineData("device-v1-bad-container-name-negative.json", "containers[0].name")]
    public void Negative_golden_device_json_is_refused_with_the_reason(string name, string expected)
    {
        Assert.Contains(expected, Assert.Throws<DeviceDataException>(() => DeviceIdentity.Parse(Golden(name))).Message, StringComparison.Ordinal);
        var root = CopyOfGoldenDevice();
        File.Copy(Path.Combine(GoldenRoot, name), Path.Combine(root, "device.json"), overwrite: true);
        Assert.Contains(expected, Assert.Throws<DeviceDataException>(() => LocalDevice.Open(root).Dispose()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_golden_damaged_trusted_key_stops_power_on_with_the_reason()
    {
        Assert.ThrowsAny<FormatException>(() => VerificationKey.FromFile(Path.Combine(GoldenRoot, "trusted-key-damaged-negative.pub")));
        var root = CopyOfGoldenDevice();
        File.Copy(Path.Combine(GoldenRoot, "trusted-key-damaged-negative.pub"), Path.Combine(root, "trusted", TrustedKeyFile), overwrite: true);
        Assert.Contains("unusable trusted key", Assert.Throws<DeviceDataException>(() => LocalDevice.Open(root).Dispose()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_golden_short_bootloader_key_stops_power_on_with_the_reason()
    {
        var root = CopyOfGoldenDevice();
        File.Copy(Path.Combine(GoldenRoot, "bootloader-key-short-negative.key"), Path.Combine(root, "bootloader.key"), overwrite: true);
        Assert.Contains("bootloader.key is 31 bytes, expected 32", Assert.Throws<DeviceDataException>(() => LocalDevice.Open(root).Dispose()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_golden_truncated_status_is_refused_and_power_on_continues_without_it()
    {
        Assert.Contains("status.json is damaged", Assert.Throws<DeviceDataException>(() => DeviceStatus.Parse(Golden("status-v1-truncated-negative.json"))).Message, StringComparison.Ordinal);
        var root = CopyOfGoldenDevice();
        File.Copy(Path.Combine(GoldenRoot, "status-v1-truncated-negative.json"), Path.Combine(root, "status.json"), overwrite: true);
        using var device = LocalDevice.Open(root); // the flash stays authoritative: a damaged status is reported, not fatal
        Assert.Contains("status.json is damaged", device.Status.LoadProblem, StringComparison.Ordinal);
        Assert.Equal(["app"], device.ContainerNames);
    }

    /// <summary>Opening locks and writes the folder, so tests work on a copy (git keeps no empty folders: inbox/ and kv/ are made here).</summary>
    private string CopyOfGoldenDevice()
    {
        var root = _temp.Folder("device-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var file in Directory.EnumerateFiles(GoldenDevice, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(GoldenDevice, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var directory = new DeviceDirectory(root);
        Directory.CreateDirectory(directory.InboxDirectory);
        Directory.CreateDirectory(directory.KeyValueDirectory);
        return root;
    }
}
