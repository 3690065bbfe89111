using AtymSecure.OtaStore;

namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// The fleet's device classes from the device store: every class of a device that is not decommissioned, plus the
/// classes configured to be compiled ahead of enrolment (a fleet still shipping).
/// </summary>
public sealed class DeviceStoreFleetClasses(IDeviceStore devices, IEnumerable<string> alsoCompileFor) : IFleetDeviceClasses
{
    private const int Page = 500;
    private readonly ConfiguredFleetClasses _configured = new(alsoCompileFor);

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken ct = default)
    {
        var classes = new SortedSet<string>(await _configured.ListAsync(ct).ConfigureAwait(false), StringComparer.Ordinal);
        string? after = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var page = devices.List(after, Page);
            foreach (var device in page.Where(d => d.State != DeviceState.Decommissioned)) classes.Add(device.DeviceClass);
            if (page.Count < Page) return [.. classes];
            after = page[^1].Id;
        }
    }
}
