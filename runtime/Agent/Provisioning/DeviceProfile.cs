using System.Runtime.InteropServices;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.DeviceAgent.Provisioning;

/// <summary>
/// What <c>atym device init --profile P</c> builds: a device class whose code this machine can run (the
/// device runtime executes Wasmtime classes; MCU classes link wasm2c code into firmware and are not
/// simulated here), the flash part it sits on, the default size of each container slot, and the RAM budget all its
/// containers share (<see cref="ContainerMemoryBudgetBytes"/>: checked at install against the confirmed containers'
/// <c>maxMemoryBytes</c> plus <see cref="Runtime.Budgets.ContainerMemoryOverhead"/> for the isolation mode, and enforced at run time by the
/// runtime's <see cref="Runtime.Budgets.DeviceMemoryAccountant"/>), and the size of its rotated device log
/// (<see cref="LogFiles"/> files of <see cref="LogFileBytes"/>), and how many security-counter bumps each container's
/// write-once counter store holds (<see cref="CounterCapacity"/>, at least 256: trust-model §7).
/// </summary>
public sealed record DeviceProfile(string Name, DeviceClass DeviceClass, FlashProfile Flash, long DefaultSlotBytes,
    long ContainerMemoryBudgetBytes = DeviceProfile.DefaultContainerMemoryBudgetBytes,
    int LogFiles = DeviceProfile.DefaultLogFiles, long LogFileBytes = DeviceProfile.DefaultLogFileBytes,
    int CounterCapacity = SecurityCounterStore.DefaultCapacity)
{
    /// <summary>device.log and its rotated predecessors: at most <see cref="LogFiles"/> × <see cref="LogFileBytes"/> bytes of storage.</summary>
    public const int DefaultLogFiles = 4;

    public const long DefaultLogFileBytes = 1024 * 1024;

    /// <summary>RAM for all containers of a simulated Linux-class device: a small gateway's share after the OS and agent.</summary>
    public const long DefaultContainerMemoryBudgetBytes = 64L * 1024 * 1024;

    /// <summary>Profile for this machine's own class: linux-x86_64 on x64, linux-aarch64 on arm64, else portable-pulley64.</summary>
    public const string Host = "host";

    public static IReadOnlyList<string> Names { get; } = [Host, "linux-x86_64", "linux-aarch64", "portable-pulley64"];

    /// <summary>The profile named <paramref name="name"/> (a device class name or <see cref="Host"/>).</summary>
    /// <exception cref="ArgumentException">Unknown, or a class this machine cannot execute; the message lists what works.</exception>
    public static DeviceProfile Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var className = name == Host ? HostClassName() : name;
        if (!DeviceClassTable.Names.Contains(className, StringComparer.Ordinal))
            throw new ArgumentException($"unknown device profile '{name}'; profiles: {string.Join(", ", Names)}", nameof(name));
        var deviceClass = DeviceClassTable.Get(className);
        if (deviceClass.IsMicrocontroller)
            throw new ArgumentException(
                $"device class '{className}' runs wasm2c code linked into MCU firmware; the simulated device runs Wasmtime classes: {string.Join(", ", Runnable())}", nameof(name));
        if (!CanExecute(deviceClass))
            throw new ArgumentException(
                $"device class '{className}' needs a {deviceClass.Isa} host to execute its native code; on this machine use: {string.Join(", ", Runnable())}", nameof(name));
        return new DeviceProfile(name, deviceClass, FlashProfile.SpiNor, 1024 * 1024);
    }

    private static IEnumerable<string> Runnable() =>
        DeviceClassTable.Names.Where(n => DeviceClassTable.Get(n) is { IsMicrocontroller: false } c && CanExecute(c));

    private static string HostClassName() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "linux-x86_64",
        Architecture.Arm64 => "linux-aarch64",
        _ => "portable-pulley64",
    };

    private static bool CanExecute(DeviceClass deviceClass) =>
        deviceClass.Isa == Isa.Pulley64 || deviceClass.Name == HostClassName();
}
