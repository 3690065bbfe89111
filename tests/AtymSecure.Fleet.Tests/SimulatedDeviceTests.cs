using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.Runtime.Execution;

namespace AtymSecure.Fleet.Tests;

/// <summary>A simulated device takes its faults' arguments from the faults that hit it, not from the first of their kind in the fleet.</summary>
public sealed class SimulatedDeviceTests
{
    [Fact]
    public void Of_two_slow_link_faults_a_device_hit_only_by_the_second_gets_the_second_ones_rate()
    {
        // slow-link:1 hits one device of 8 (index 2: the kind's shift); slow-link:100% hits all of them.
        FleetFault[] faults = [FleetFault.Parse("slow-link:1:1KiB"), FleetFault.Parse("slow-link:100%:8KiB")];
        var options = new FleetOptions
        {
            Server = new Uri("http://127.0.0.1:1/"),
            Roots = new TrustRootFiles("director.root.json", "image.root.json"),
            DataDirectory = Path.Combine(Path.GetTempPath(), "unused-fleet"),
            Devices = 8,
            Faults = faults,
        };
        using var engines = new EngineCache(new RuntimeOptions().EpochTick);
        long? RateOf(int index)
        {
            using var device = new SimulatedDevice(index, DeviceProfile.Host, options, [.. faults.Where(f => f.Hits(index, 8))], engines, TimeProvider.System);
            return device.LinkBytesPerSecond;
        }

        Assert.Equal(1024, RateOf(2));
        Assert.Equal(8 * 1024, RateOf(3));
    }
}
