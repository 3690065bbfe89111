using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.DeviceProtocol.Ddi;
using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// DDI targets as devices of the fleet. Creating one writes a <see cref="DeviceRecord"/> (active, no device key: its
/// <see cref="DeviceRecord.KeyFingerprint"/> is <see cref="Fingerprint"/>, so it can never open an atym session; tag
/// <c>protocol=ddi</c>; class given, or <see cref="DdiOptions.DefaultDeviceClass"/>) and its <see cref="DdiTarget"/>
/// beside it, so the target sits in the same groups and deployments as atym agents. <c>configData</c> changes the
/// target's attributes (merge, replace, remove; at most <see cref="DdiConfigData.MaxEntries"/> after the change, else
/// refused and nothing stored); the attribute <see cref="DeviceClassAttribute"/> sets the device's class.
/// </summary>
public sealed class DdiTargetRegistry(DdiOptions options, IDdiStore store, IDeviceStore devices, TimeProvider clock)
{
    public const string Fingerprint = "ddi";
    public const string DeviceClassAttribute = "device-class";
    private const int UpdateAttempts = 16;

    public static bool IsDdiDevice(DeviceRecord device) => device is { PublicKey.Length: 0, KeyFingerprint: Fingerprint };

    public DdiTarget? Find(string controllerId) => store.FindTarget(controllerId);

    /// <summary>Creates the device and the target; with <paramref name="withToken"/> also its TargetToken (the text, shown once).
    /// 409 when a device or target with that id exists.</summary>
    public (DdiTarget Target, string? TokenText) Create(string controllerId, string? deviceClass, IReadOnlyList<string> groups, string createdBy, bool withToken)
    {
        if (!ProtocolJson.DeviceIdGrammar().IsMatch(controllerId))
            throw new OtaProblemException(400, OtaProblemCodes.InvalidField, "$.controllerId", "a controller id is 1-128 of [A-Za-z0-9._:-]");
        var @class = deviceClass ?? options.DefaultDeviceClass;
        if (!ProtocolJson.NameGrammar().IsMatch(@class)) throw new OtaProblemException(400, OtaProblemCodes.InvalidField, "$.deviceClass", "not a device class name");
        var now = clock.GetUtcNow();
        var device = new DeviceRecord(controllerId, "", Fingerprint, @class, "ddi", EquatableList<DevicePartition>.Empty, "0.0.0", DeviceState.Active, 0,
            new EquatableList<string>(groups), new EquatableMap<string>([new("protocol", "ddi")]), now, now, 0);
        var (tokenId, text, hash) = withToken ? DdiTokens.NewTarget() : (null, null, null);
        var target = new DdiTarget(controllerId, tokenId, hash, EquatableMap<string>.Empty, true, 0, now, createdBy);
        if (store.FindTarget(controllerId) is not null || !devices.TryAdd(device))
            throw new OtaProblemException(409, DdiServerProblemCodes.TargetExists, "$.controllerId", $"a device '{controllerId}' exists");
        if (!store.TryAddTarget(target)) throw new OtaProblemException(409, DdiServerProblemCodes.TargetExists, "$.controllerId", $"a DDI target '{controllerId}' exists");
        return (store.FindTarget(controllerId)!, text);
    }

    /// <summary>The target, registered now when a gateway token or anonymous access let an unknown controller in (hawkBit
    /// auto-registration); null when the id belongs to a device that is not a DDI target, or is not a device id.</summary>
    public DdiTarget? FindOrRegister(string controllerId, DdiCredential credential)
    {
        if (store.FindTarget(controllerId) is { } known) return known;
        if (credential == DdiCredential.TargetToken || !ProtocolJson.DeviceIdGrammar().IsMatch(controllerId) || devices.Find(controllerId) is not null) return null;
        try
        {
            return Create(controllerId, null, [], credential == DdiCredential.GatewayToken ? "gateway-token" : "anonymous", withToken: false).Target;
        }
        catch (OtaProblemException e) when (e.Status == 409)
        {
            return store.FindTarget(controllerId); // registered by a concurrent poll
        }
    }

    /// <summary>A new TargetToken for an existing target (the old one stops working); the text, shown once.</summary>
    public string IssueToken(string controllerId)
    {
        var (id, text, hash) = DdiTokens.NewTarget();
        Change(controllerId, t => t with { TokenId = id, TokenSha256 = hash });
        return text;
    }

    /// <summary>Counts one stored feedback (the rollout engine's sequence for this device); the new sequence.</summary>
    public long NextSequence(string controllerId, bool requestAttributes) =>
        Change(controllerId, t => t with { FeedbackSequence = t.FeedbackSequence + 1, AttributesRequested = t.AttributesRequested || requestAttributes }).FeedbackSequence;

    /// <summary>Applies a <c>configData</c> body; every refusal leaves the target and device as they were.</summary>
    public DdiTarget ApplyConfigData(string controllerId, DdiConfigData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var current = store.FindTarget(controllerId) ?? throw NotFound();
        var attributes = Changed(current.Attributes, data);
        if (attributes.Count > DdiConfigData.MaxEntries)
            throw new OtaProblemException(400, DdiServerProblemCodes.AttributesRefused, "$.data", $"{attributes.Count} attributes after the {data.EffectiveMode.ToString().ToLowerInvariant()}, at most {DdiConfigData.MaxEntries}");
        if (attributes.TryGetValue(DeviceClassAttribute, out var @class) && !ProtocolJson.NameGrammar().IsMatch(@class))
            throw new OtaProblemException(400, DdiServerProblemCodes.AttributesRefused, $"$.data[\"{DeviceClassAttribute}\"]", "not a device class name (lower-case letters, digits, '.', '_', '-')");
        if (@class is not null) SetDeviceClass(controllerId, @class);
        return Change(controllerId, t => t with { Attributes = Changed(t.Attributes, data), AttributesRequested = false });
    }

    private static EquatableMap<string> Changed(EquatableMap<string> stored, DdiConfigData data) => data.EffectiveMode switch
    {
        DdiUpdateMode.Replace => data.Data,
        DdiUpdateMode.Remove => new EquatableMap<string>(stored.Where(a => !data.Data.ContainsKey(a.Key))),
        _ => data.Data.Aggregate(stored, (map, a) => map.SetItem(a.Key, a.Value)),
    };

    private void SetDeviceClass(string controllerId, string deviceClass)
    {
        for (var i = 0; i < UpdateAttempts; i++)
        {
            var device = devices.Find(controllerId) ?? throw NotFound();
            if (device.DeviceClass == deviceClass || devices.TryUpdate(device with { DeviceClass = deviceClass, UpdatedAt = clock.GetUtcNow() }, device.Revision) is not null) return;
        }
        throw new InvalidOperationException($"device {controllerId} kept changing while its class was set");
    }

    private DdiTarget Change(string controllerId, Func<DdiTarget, DdiTarget> change)
    {
        for (var i = 0; i < UpdateAttempts; i++)
        {
            var current = store.FindTarget(controllerId) ?? throw NotFound();
            if (store.TryUpdateTarget(change(current), current.Revision) is { } stored) return stored;
        }
        throw new InvalidOperationException($"DDI target {controllerId} kept changing");
    }

    private static OtaProblemException NotFound() => new(404, DdiServerProblemCodes.NotFound, "controllerId", "no such target");
}
