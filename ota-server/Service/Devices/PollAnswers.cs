using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaServer.Hosting;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// Builds a device's poll answer (docs/device-protocol.md, "Poll"): the poll interval, the acknowledged nonce of its last
/// report, and its director targets — signed by the director (<see cref="DirectorTargetsSigner"/>, which re-signs only
/// when something changed or the stored document runs short) once the director has a root and the device has
/// reported a nonce to echo. The targets list what the desired-state planner assigns; until the releases library is
/// wired in, that is nothing, and the signed document says so. The ETag is the answer's SHA-256, so it changes exactly
/// when the bytes do.
/// </summary>
public sealed class PollAnswers(OtaServerOptions options, ReportSummaries reports, UptaneDirector director)
{
    public (byte[] Body, string ETag) For(string deviceId, DeviceSnapshot device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var nonce = reports.Latest(deviceId)?.Nonce;
        byte[]? targets = null;
        if (nonce is not null && director.Roots.Current is not null)
            targets = director.Signer.Answer(new DirectorTargetsRequest(deviceId, device.DeviceClass, nonce, [])).ToBytes();
        var body = new PollAnswer((long)options.PollInterval.TotalSeconds, targets, nonce).ToJson();
        return (body, $"\"{Convert.ToHexStringLower(SHA256.HashData(body))}\"");
    }
}
