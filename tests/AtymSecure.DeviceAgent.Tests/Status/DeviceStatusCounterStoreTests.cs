using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Updates;

namespace AtymSecure.DeviceAgent.Tests.Status;

/// <summary>
/// Issue 11 §2: `atym device init` writes a v2 partition table, and status (the read-only query and the status.json a
/// running device writes, format 3) shows each container's counter store: floor, entries used of 256, used up.
/// </summary>
public sealed class DeviceStatusCounterStoreTests : IDisposable
{
    private readonly DeviceFixture _device = new("sensor-filter");

    public void Dispose() => _device.Dispose();

    [Fact]
    public void A_new_device_has_an_unused_store_and_a_confirmed_install_uses_one_entry()
    {
        var fresh = _device.Container("sensor-filter");
        Assert.Equal(new CounterStoreStatus(0, 0, SecurityCounterStore.DefaultCapacity, false), fresh.CounterStore);

        var install = _device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter")));
        Assert.Equal(InstallResult.Installed, install.Result);
        var run = _device.Run();
        var written = Assert.Single(run.Containers);
        Assert.Equal(ContainerState.Confirmed, written.State);
        Assert.Equal(DeviceStatus.FormatVersion, run.Format);
        Assert.Equal(new CounterStoreStatus(written.SecurityFloor, 1, 256, false), written.CounterStore);
        Assert.True(written.SecurityFloor > 0);

        var queried = _device.Container("sensor-filter");
        Assert.Equal(written.CounterStore, queried.CounterStore);
        Assert.Equal($"counter {written.SecurityFloor} (1/256 used)", queried.CounterStore!.ToString());
    }
}
