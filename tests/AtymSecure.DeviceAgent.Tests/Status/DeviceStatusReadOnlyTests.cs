using System.Security.Cryptography;
using AtymSecure.Bootloader.Boot;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Updates;

namespace AtymSecure.DeviceAgent.Tests.Status;

/// <summary>
/// <c>atym device status</c> only reads (issue 11 §2): the flash file's bytes and modification time are the same
/// after a status query, on a healthy device and on one whose state log no longer verifies. Before the read-only
/// open, the damaged case failed: opening the bootloader formatted a fresh state log into the flash file.
/// </summary>
public sealed class DeviceStatusReadOnlyTests : IDisposable
{
    private readonly DeviceFixture _device = new("sensor-filter");

    public void Dispose() => _device.Dispose();

    private string FlashFile => new DeviceDirectory(_device.Data).FlashFile;

    [Fact]
    public void Status_of_a_healthy_device_leaves_the_flash_file_untouched()
    {
        var install = _device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter")));
        Assert.Equal(InstallResult.Installed, install.Result);
        var (bytes, mtime) = Snapshot();

        var status = _device.Status();

        Assert.Equal(Bootloader.State.ContainerState.Pending, status.Containers.Single().State);
        Assert.Null(status.Recovery);
        AssertUnchanged(bytes, mtime);
    }

    [Fact]
    public void Status_names_the_device_runtime_version_stopped_and_in_the_file_a_run_leaves()
    {
        var current = AtymSecure.Runtime.RuntimeVersion.Current.ToString();
        Assert.Equal(current, _device.Status().RuntimeVersion);
        Assert.Equal(InstallResult.Installed, _device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter"))).Result);
        var written = DeviceStatus.Parse(File.ReadAllBytes(new DeviceDirectory(_device.Data).StatusFile));
        Assert.Equal((DeviceStatus.FormatVersion, current), (written.Format, written.RuntimeVersion));
    }

    [Fact]
    public void Status_of_a_device_whose_mac_key_was_replaced_leaves_the_flash_file_untouched()
    {
        Assert.Equal(InstallResult.Installed, _device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter"))).Result);
        File.WriteAllBytes(new DeviceDirectory(_device.Data).BootKeyFile, RandomNumberGenerator.GetBytes(32));
        var (bytes, mtime) = Snapshot();

        var status = _device.Status();

        AssertUnchanged(bytes, mtime);
        Assert.Equal(DeviceStatusQuery.RecoveryMessage, status.Recovery);
        Assert.Equal(BootOutcome.Recovery, Assert.Single(LocalDeviceBoot().Containers).Outcome);
    }

    /// <summary>A power-on of the device in recovery: nothing boots, and an install is refused with recovery-state.</summary>
    private BootReport LocalDeviceBoot()
    {
        var install = _device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter")));
        Assert.Equal(InstallResult.Refused, install.Result);
        Assert.Contains("recovery-state", install.Detail, StringComparison.Ordinal);
        using var device = LocalDevice.Open(_device.Data);
        var report = device.Boot();
        // What a running device publishes (a status query of it reads this file): recovery too.
        Assert.Equal(DeviceStatusQuery.RecoveryMessage, DeviceStatus.Parse(File.ReadAllBytes(new DeviceDirectory(_device.Data).StatusFile)).Recovery);
        return report;
    }

    private (byte[] Bytes, DateTime Mtime) Snapshot()
    {
        // An old timestamp, so a write during the query could not land in the same clock tick unnoticed.
        var old = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(FlashFile, old);
        return (File.ReadAllBytes(FlashFile), old);
    }

    private void AssertUnchanged(byte[] bytes, DateTime mtime)
    {
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(FlashFile));
        Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(FlashFile)), "status changed the flash file's bytes");
    }
}
