using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaRollouts.Service;

/// <summary>
/// The fleet as the engine needs it: active devices with their groups, tags and class, each with its latest stored
/// report reduced to one container (<see cref="DeviceObservation"/>). Reports were verified before they were stored,
/// so reading one back only parses it; one that does not parse is treated as no report. Devices of another protocol
/// (hawkBit DDI) are observed through <see cref="IExternalDeviceReports"/>.
/// </summary>
public sealed class FleetReader(IDeviceStore devices, IDeviceReportStore reports, IExternalDeviceReports? external = null)
{
    private const int Page = 500;

    public IReadOnlyList<FleetDevice> Active(string container)
    {
        var fleet = new List<FleetDevice>();
        string? after = null;
        while (true)
        {
            var page = devices.List(after, Page);
            fleet.AddRange(page.Where(d => d.State == DeviceState.Active).Select(d => Of(d, container)));
            if (page.Count < Page) return fleet;
            after = page[^1].Id;
        }
    }

    /// <summary>One active device (null: unknown or not active).</summary>
    public FleetDevice? Find(string deviceId, string container) => devices.Find(deviceId) is { State: DeviceState.Active } d ? Of(d, container) : null;

    private FleetDevice Of(DeviceRecord d, string container) => new(d.Id, d.DeviceClass, d.Groups, d.Tags, Latest(d, container));

    /// <summary>The device's latest observation of <paramref name="container"/>: from its external protocol when it speaks
    /// one (<see cref="IExternalDeviceReports"/>), else from its latest stored report.</summary>
    public DeviceObservation? Latest(string deviceId, string container) =>
        external is not null && devices.Find(deviceId) is { } device && external.Owns(device) ? external.Latest(deviceId, container) : FromReports(deviceId, container);

    private DeviceObservation? Latest(DeviceRecord device, string container) =>
        external is not null && external.Owns(device) ? external.Latest(device.Id, container) : FromReports(device.Id, container);

    private DeviceObservation? FromReports(string deviceId, string container) =>
        reports.Latest(deviceId) is { } stored ? Observe(stored, container) : null;

    public static DeviceObservation? Observe(DeviceReport stored, string container)
    {
        ArgumentNullException.ThrowIfNull(stored);
        try
        {
            return DeviceObservation.From(VersionReport.Parse(ProtocolJson.BytesOf(stored.Payload)), stored.Sequence, container);
        }
        catch (DeviceProtocolException)
        {
            return null;
        }
    }
}
