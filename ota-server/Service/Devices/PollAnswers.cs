using System.Collections.Concurrent;
using System.Security.Cryptography;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// Builds a device's poll answer (docs/device-protocol.md, "Poll"): the poll interval (the device's, <see cref="PollIntervals"/>), the acknowledged nonce of its last
/// report, and its director targets — signed by the director (<see cref="DirectorTargetsSigner"/>, which re-signs only
/// when something changed or the stored document runs short) once the director has a root and the device has
/// reported a nonce to echo. The targets list what the desired-state planner assigns (<see cref="DesiredStateResolver"/>,
/// registered with the releases library; it cuts a bundle the first time a director target names it, so every named
/// bundle is servable at <c>/bundles/sha256/HEX</c>); without the releases library nothing is assigned, and the signed
/// document says so. The ETag is the answer's SHA-256, so it changes exactly when the bytes do.
/// <para>
/// The 304 path builds nothing. The answer's bytes follow from its inputs — the acknowledged nonce, the director root's
/// version, the desired targets — and, for unchanged inputs, from the stored signed document, which the signer keeps
/// until <see cref="DirectorTargetsSigner.ReusableUntil"/>. So each device's last answer is remembered as (inputs,
/// ETag, reusable until), about 250 bytes a device, never the body: a poll whose <c>If-None-Match</c> names that ETag,
/// with the same inputs before that time, is answered without reading or parsing the signed document, writing JSON
/// or hashing. Inputs are still computed on every poll (the planner's answer is compared, not trusted to be
/// unchanged), so no change of assignment, rollout, report or root can be missed by the shortcut.
/// </para>
/// </summary>
public sealed class PollAnswers(PollIntervals intervals, ReportSummaries reports, UptaneDirector director, TimeProvider clock, DesiredStateResolver? desired = null)
{
    private readonly ConcurrentDictionary<string, Answered> _answered = new(StringComparer.Ordinal);

    public async Task<(byte[] Body, string ETag)> ForAsync(string deviceId, DeviceSnapshot device, CancellationToken ct = default)
    {
        var (body, etag) = await AnswerAsync(deviceId, device, null, ct).ConfigureAwait(false);
        return (body!, etag);
    }

    /// <summary>
    /// The poll answer, or only its ETag (body null) when <paramref name="clientHas"/> says the device holds the ETag
    /// this process last answered for the same inputs and that answer is still what the director would sign: the
    /// caller answers 304. A body is built otherwise, and the caller compares its ETag again (a first poll after a
    /// restart can still be a 304).
    /// </summary>
    public async Task<(byte[]? Body, string ETag)> AnswerAsync(string deviceId, DeviceSnapshot device, Predicate<string>? clientHas, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        var inputs = await InputsAsync(deviceId, device, ct).ConfigureAwait(false);
        if (clientHas is not null && _answered.TryGetValue(deviceId, out var last) && last.Inputs.Equals(inputs)
            && clock.GetUtcNow() < last.ReusableUntil && clientHas(last.ETag))
            return (null, last.ETag);
        byte[]? targets = null;
        var reusableUntil = DateTimeOffset.MaxValue;
        if (inputs.RootVersion is not null)
        {
            var answer = director.Signer.Answer(new DirectorTargetsRequest(deviceId, device.DeviceClass, inputs.Nonce!, inputs.Targets));
            targets = answer.ToBytes();
            reusableUntil = director.Signer.ReusableUntil(answer.Document);
        }
        var body = new PollAnswer(inputs.PollIntervalSeconds, targets, inputs.Nonce).ToJson();
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(body))}\"";
        _answered[deviceId] = new Answered(inputs, etag, reusableUntil);
        return (body, etag);
    }

    /// <summary>What the answer's bytes follow from: the poll interval and the nonce; with a director root and a nonce,
    /// the root version and the planned targets (signed only then).</summary>
    private async Task<Inputs> InputsAsync(string deviceId, DeviceSnapshot device, CancellationToken ct)
    {
        var interval = intervals.SecondsFor(deviceId, device.Groups);
        var last = reports.Last(deviceId); // once: with a shared store each read is a database round trip
        var nonce = last?.Summary.Nonce;
        if (last is null || nonce is null || director.Roots.Current is not { } root) return new Inputs(interval, nonce, null, []);
        return new Inputs(interval, nonce, root.Signed.Version, await TargetsAsync(deviceId, device, last, ct).ConfigureAwait(false));
    }

    /// <summary>Per planned container, the bundle and image the director signs. Gaps (a release with no image for the
    /// class, say) are not targets: the operator sees them in the plan, the device keeps what it runs.</summary>
    private async Task<EquatableList<DirectorBundleTarget>> TargetsAsync(string deviceId, DeviceSnapshot device, LastReport last, CancellationToken ct)
    {
        if (desired is null) return [];
        var state = await desired.ResolveAsync(new DeviceView(deviceId, device.DeviceClass, last.ConfirmedImages)
        {
            RejectedVersions = last.RejectedVersions,
            Groups = device.Groups,
        }, ct).ConfigureAwait(false);
        return new EquatableList<DirectorBundleTarget>(state.Containers.Select(c => c.DirectorTarget()));
    }

    private sealed record Inputs(long PollIntervalSeconds, string? Nonce, long? RootVersion, EquatableList<DirectorBundleTarget> Targets);

    private sealed record Answered(Inputs Inputs, string ETag, DateTimeOffset ReusableUntil);
}
