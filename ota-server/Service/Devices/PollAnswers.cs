using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// Builds a device's poll answer (docs/device-protocol.md, "Poll"): the poll interval, the acknowledged nonce of its last
/// report, and its director targets — signed by the director (<see cref="DirectorTargetsSigner"/>, which re-signs only
/// when something changed or the stored document runs short) once the director has a root and the device has
/// reported a nonce to echo. The targets list what the desired-state planner assigns (<see cref="DesiredStateResolver"/>,
/// registered with the releases library; it cuts a bundle the first time a director target names it, so every named
/// bundle is servable at <c>/bundles/sha256/HEX</c>); without the releases library nothing is assigned, and the signed
/// document says so. The ETag is the answer's SHA-256, so it changes exactly when the bytes do.
/// </summary>
public sealed class PollAnswers(OtaServerOptions options, ReportSummaries reports, UptaneDirector director, DesiredStateResolver? desired = null)
{
    public async Task<(byte[] Body, string ETag)> ForAsync(string deviceId, DeviceSnapshot device, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        var nonce = reports.Latest(deviceId)?.Nonce;
        byte[]? targets = null;
        if (nonce is not null && director.Roots.Current is not null)
        {
            var assigned = await TargetsAsync(deviceId, device.DeviceClass, ct).ConfigureAwait(false);
            targets = director.Signer.Answer(new DirectorTargetsRequest(deviceId, device.DeviceClass, nonce, assigned)).ToBytes();
        }
        var body = new PollAnswer((long)options.PollInterval.TotalSeconds, targets, nonce).ToJson();
        return (body, $"\"{Convert.ToHexStringLower(SHA256.HashData(body))}\"");
    }

    /// <summary>Per planned container, the bundle and image the director signs. Gaps (a release with no image for the
    /// class, say) are not targets: the operator sees them in the plan, the device keeps what it runs.</summary>
    private async Task<EquatableList<DirectorBundleTarget>> TargetsAsync(string deviceId, string deviceClass, CancellationToken ct)
    {
        if (desired is null) return [];
        var state = await desired.ResolveAsync(new DeviceView(deviceId, deviceClass, reports.ConfirmedImages(deviceId)) { RejectedVersions = reports.RejectedVersions(deviceId) }, ct).ConfigureAwait(false);
        return new EquatableList<DirectorBundleTarget>(state.Containers.Select(c => new DirectorBundleTarget(
            c.Image.Identity, c.Bundle.Sha256, checked((long)c.Bundle.Length), new ImageReference(c.Image.Sha256, checked((long)c.Image.Length)))));
    }
}
