using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// The poll interval each device is told (issue 14 §1, a per-group poll interval with jitter): the setting of its
/// groups (<see cref="GroupSettings"/>; of several groups with one, the shortest interval — the most demanding group
/// wins), else the server's <see cref="OtaServerOptions.PollInterval"/> and <see cref="OtaServerOptions.PollJitterPercent"/>.
/// The jitter is fixed per device (<see cref="Jittered"/>, from its id): a device's answer stays byte-identical from
/// poll to poll, so the 304 path holds, while devices that start together (after an outage) spread over the band and
/// drift apart. The settings live in <see cref="IGroupSettingsStore"/>; this process keeps a snapshot for the poll path
/// and replaces it on its own writes (one server process per data folder, as <see cref="DeviceStates"/>).
/// </summary>
public sealed class PollIntervals(OtaServerOptions options, IGroupSettingsStore store)
{
    public const int MaxJitterPercent = 50;

    private volatile ImmutableDictionary<string, GroupSettings>? _groups;

    /// <summary>Seconds <paramref name="deviceId"/> in <paramref name="groups"/> waits between polls, within the protocol's bounds.</summary>
    public long SecondsFor(string deviceId, IReadOnlyList<string> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var known = Groups();
        GroupSettings? chosen = null;
        foreach (var group in groups)
            if (known.TryGetValue(group, out var s) && (chosen is null || s.PollIntervalSeconds < chosen.PollIntervalSeconds
                || s.PollIntervalSeconds == chosen.PollIntervalSeconds && string.CompareOrdinal(s.Group, chosen.Group) < 0))
                chosen = s;
        return chosen is null
            ? Jittered((long)options.PollInterval.TotalSeconds, options.PollJitterPercent, deviceId)
            : Jittered(chosen.PollIntervalSeconds, chosen.PollJitterPercent, deviceId);
    }

    public GroupSettings? Find(string group) => Groups().GetValueOrDefault(group);

    public IReadOnlyList<GroupSettings> List() => [.. Groups().Values.OrderBy(s => s.Group, StringComparer.Ordinal)];

    public void Set(GroupSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        store.Set(settings);
        _groups = Groups().SetItem(settings.Group, settings);
    }

    public bool Remove(string group)
    {
        var removed = store.Remove(group);
        _groups = Groups().Remove(group);
        return removed;
    }

    /// <summary>
    /// <paramref name="seconds"/> moved by a share in [−<paramref name="percent"/>%, +<paramref name="percent"/>%) that
    /// the device id alone decides (the first 8 bytes of its SHA-256, uniform over the band), rounded to whole seconds
    /// and kept within <see cref="PollAnswer.MinPollIntervalSeconds"/>..<see cref="PollAnswer.MaxPollIntervalSeconds"/>.
    /// </summary>
    public static long Jittered(long seconds, int percent, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(deviceId), hash);
        var unit = (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53)); // [0, 1)
        var jittered = Math.Round(seconds * (1 + (2 * unit - 1) * percent / 100.0), MidpointRounding.AwayFromZero);
        return Math.Clamp((long)jittered, PollAnswer.MinPollIntervalSeconds, PollAnswer.MaxPollIntervalSeconds);
    }

    private ImmutableDictionary<string, GroupSettings> Groups() =>
        _groups ??= store.List().ToImmutableDictionary(s => s.Group, StringComparer.Ordinal);
}
