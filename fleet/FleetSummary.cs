using System.Globalization;
using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Health;

namespace AtymSecure.Fleet;

/// <summary>How many devices hold one container version: confirmed, on trial, or whose trial of it failed (reverted).</summary>
public sealed record VersionCounts(string Container, string Version, int Confirmed, int Trial, int Failed);

/// <summary>
/// The fleet at one moment, from each device's own status (what its bootloader and runtime hold, not what the server
/// believes): devices, how many enrolled, per container version the confirmed / trial / failed counts, power cuts survived.
/// <see cref="ToString"/> is the one-line live summary <c>atym fleet simulate</c> and <c>atym up</c> print.
/// </summary>
public sealed record FleetSummary(int Devices, int Enrolled, int PowerCuts, EquatableList<VersionCounts> Versions)
{
    public static FleetSummary Of(IReadOnlyList<SimulatedDeviceView> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        var counts = new Dictionary<(string Container, string Version), (int Confirmed, int Trial, int Failed)>();
        void Add((string, string) key, int confirmed, int trial, int failed)
        {
            var c = counts.GetValueOrDefault(key);
            counts[key] = (c.Confirmed + confirmed, c.Trial + trial, c.Failed + failed);
        }
        foreach (var status in devices.Select(d => d.Status).OfType<DeviceStatus>())
        {
            var confirmedHere = new HashSet<(string, string)>();
            foreach (var container in status.Containers)
            {
                if (container.VersionIn(container.ConfirmedSlot) is { } confirmed)
                {
                    Add((container.Name, confirmed), 1, 0, 0);
                    confirmedHere.Add((container.Name, confirmed));
                }
                if (container.State is ContainerState.Pending or ContainerState.TrialBooted && container.VersionIn(container.TrialSlot) is { } trial) Add((container.Name, trial), 0, 1, 0);
            }
            // A version this device tried and reverted (and does not hold confirmed since).
            foreach (var failed in status.Trials.Where(t => t.Verdict == TrialVerdict.Failed).Select(t => (t.Container, t.Version)).Distinct())
            {
                if (!confirmedHere.Contains(failed)) Add(failed, 0, 0, 1);
            }
        }
        var versions = counts.OrderBy(c => c.Key.Container, StringComparer.Ordinal).ThenBy(c => c.Key.Version, StringComparer.Ordinal)
            .Select(c => new VersionCounts(c.Key.Container, c.Key.Version, c.Value.Confirmed, c.Value.Trial, c.Value.Failed));
        return new FleetSummary(devices.Count, devices.Count(d => d.Enrolled), devices.Sum(d => d.PowerCuts), new EquatableList<VersionCounts>(versions));
    }

    /// <summary>Devices holding <paramref name="version"/> of <paramref name="container"/> confirmed.</summary>
    public int ConfirmedOf(string container, string version) => Versions.FirstOrDefault(v => v.Container == container && v.Version == version)?.Confirmed ?? 0;

    public int FailedOf(string container, string version) => Versions.FirstOrDefault(v => v.Container == container && v.Version == version)?.Failed ?? 0;

    public override string ToString()
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"devices {Devices}, enrolled {Enrolled}");
        foreach (var v in Versions) line += string.Create(CultureInfo.InvariantCulture, $" | {v.Container} {v.Version}: {v.Confirmed} confirmed, {v.Trial} trial, {v.Failed} failed");
        if (PowerCuts > 0) line += string.Create(CultureInfo.InvariantCulture, $" | power cuts {PowerCuts}");
        return line;
    }
}

/// <summary>What the summary reads of one device.</summary>
public sealed record SimulatedDeviceView(int Index, string? DeviceId, string Profile, bool Enrolled, int PowerCuts, int OfflineRefusals, DeviceStatus? Status, string Faults);
