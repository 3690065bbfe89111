using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// The device classes present in the fleet: a release is compiled for these ∩ the container's targets. The OTA
/// service's device store implements it (enrolled devices' classes); until a service wires one,
/// <see cref="ConfiguredFleetClasses"/> takes the list from configuration.
/// </summary>
public interface IFleetDeviceClasses
{
    Task<IReadOnlyList<string>> ListAsync(CancellationToken ct = default);
}

/// <summary>A fixed list of classes from configuration (<c>OtaReleasesOptions.FleetClasses</c>); refuses unknown names at once.</summary>
public sealed class ConfiguredFleetClasses : IFleetDeviceClasses
{
    private readonly IReadOnlyList<string> _classes;

    public ConfiguredFleetClasses(IEnumerable<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        _classes = [.. classes.Distinct(StringComparer.Ordinal)];
        foreach (var name in _classes)
            if (!DeviceClassTable.TryGet(name, out _))
                throw new ArgumentException($"unknown device class '{name}' (known: {string.Join(", ", DeviceClassTable.Names)})", nameof(classes));
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken ct = default) => Task.FromResult(_classes);
}
