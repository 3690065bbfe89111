using AtymSecure.Runtime.Budgets;
using AtymSecure.Runtime.DeviceApi;

namespace AtymSecure.Runtime.Execution;

/// <summary>
/// What one <see cref="ContainerRun"/> runs against: the device calls, the guest line limit, the accountant its
/// store's memory limit is reserved from, and the device budget to name in memory errors. In-process it is the
/// device's own (<see cref="Local"/>); in a container process it is the IPC channel and a one-container accountant
/// holding exactly what the agent reserved for this run on the device-wide accountant.
/// </summary>
internal sealed record RunEnvironment(IDeviceCalls Calls, int MaxLineBytes, DeviceMemoryAccountant Memory, long DeviceBudgetBytes)
{
    /// <summary>The run's calls on the device's services, with the config's log rate (bursts of twice it) over the device default.</summary>
    public static RunEnvironment Local(ContainerSpec spec, DeviceServices services)
    {
        var limits = LogLimitsFor(spec, services);
        return new(new LocalDeviceCalls(spec.Name, spec.Grants, spec.Blobs, services, limits), limits.MaxLineBytes, services.Memory, services.Memory.TotalBytes);
    }

    public static Logging.LogLimits LogLimitsFor(ContainerSpec spec, DeviceServices services) =>
        spec.Config.Resources.LogLinesPerSecond is { } rate ? services.LogLimits with { LinesPerSecond = rate, Burst = 2 * rate } : services.LogLimits;
}
