using AtymSecure.Bootloader.Layout;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.Engines;
using AtymSecure.Runtime.Budgets;
using AtymSecure.Runtime.Execution;

namespace AtymSecure.DeviceAgent.Tests.Updates;

/// <summary>
/// The install-time RAM check counts a process-mode container's host process (<see cref="ContainerMemoryOverhead.ProcessBytes"/>),
/// not only the in-process overhead: a Linux-class device runs each container in its own process by default. Fails
/// before the per-mode overhead: the detector below "fit" with 1 MiB per container.
/// </summary>
public sealed class ProcessModeMemoryBudgetTests : IDisposable
{
    private const long FilterMemory = 131072;
    private readonly DeviceFixture _device = new("sensor-filter", "anomaly-detector");

    public void Dispose() => _device.Dispose();

    [Fact]
    public void On_a_linux_class_device_a_container_that_fits_only_with_the_in_process_overhead_is_refused_at_install()
    {
        Assert.Equal(InstallResult.Installed, _device.Install(_device.Bundles.Full(TestBundles.Image("sensor-filter"))).Result);
        _device.Run();
        DeviceProfile profile;
        using (var opened = LocalDevice.Open(_device.Data)) profile = opened.Profile;
        // The device's own class (linux-x86_64 or linux-aarch64 here) resolves to process mode, as the runtime decides it.
        Assert.Equal(ContainerIsolation.Process, new RuntimeOptions().ResolveIsolation(EngineProfile.For(profile.DeviceClass)));

        // Beside the confirmed filter, with 1 MiB per container this leaves 11 MiB spare; with 12 MiB it is 11 MiB over.
        var budget = profile.ContainerMemoryBudgetBytes;
        var filterNeeds = FilterMemory + ContainerMemoryOverhead.ProcessBytes;
        var detector = budget - filterNeeds - ContainerMemoryOverhead.InProcessBytes;
        Assert.True(FilterMemory + detector + (2 * ContainerMemoryOverhead.InProcessBytes) <= budget);
        var bundle = _device.Bundles.Full(TestBundles.Image("anomaly-detector", edit: c => c with { Resources = c.Resources with { MaxMemoryBytes = detector } }));

        var refused = _device.Install(bundle);
        Assert.Equal(InstallResult.Refused, refused.Result);
        Assert.Contains($"memory-budget-exceeded: 'anomaly-detector' 1.0.0 needs {detector} bytes of memory plus {ContainerMemoryOverhead.ProcessBytes} overhead (process mode); " +
            $"this device's container budget is {budget} bytes, of which the confirmed containers take {filterNeeds}", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(SlotId.None, _device.Container("anomaly-detector").TrialSlot);

        // The same bundle on the same device told to run in-process fits: the check follows the runtime's mode.
        using var device = LocalDevice.Open(_device.Data);
        var inProcess = BundleFileInstaller.Install(device, bundle, runtime: new RuntimeOptions { Isolation = ContainerIsolation.InProcess });
        Assert.True(inProcess.Result == InstallResult.Installed, $"{inProcess.Result}: {inProcess.Detail}");
    }
}
