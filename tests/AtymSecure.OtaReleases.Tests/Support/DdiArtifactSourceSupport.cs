using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Tests.Support;

/// <summary>The last source in a test's artifact chain: gives nothing and records which devices reached it.</summary>
internal sealed class RecordingArtifactSource : IDdiArtifactSource
{
    public List<string> Asked { get; } = [];

    public Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default)
    {
        Asked.Add(request.Device.Id);
        return Task.FromResult<DdiArtifactFile?>(null);
    }
}

/// <summary>A DDI device record as the DDI side registers one (protocol <c>ddi</c>, nothing installed yet).</summary>
internal static class DdiDevices
{
    public static DeviceRecord Of(string id, string deviceClass = "linux-x86_64") => new(id, "", DdiTargetRegistry.Fingerprint, deviceClass, "ddi",
        EquatableList<DevicePartition>.Empty, "0.0.0", DeviceState.Active, 0, [], new EquatableMap<string>([new("protocol", "ddi")]),
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0);
}
