using System.Collections.Concurrent;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Service;

/// <summary>
/// <see cref="InstallWindows.For"/> remembered per UTC day: a poll asks for a device's window every time, and the answer
/// depends only on the deployment's windows, which of them the device's groups name, and the day (the intervals run from
/// the start of the UTC day). Converting a week of weekly windows through time zones on every poll of every device is
/// what this saves. The key holds the windows by value, so a deployment whose spec changes gets a fresh answer; entries
/// of earlier days are dropped when a new day is first asked for.
/// </summary>
public sealed class InstallWindowMemo
{
    private readonly ConcurrentDictionary<Key, InstallWindow?> _answers = new();
    private DateOnly _day;

    public InstallWindow? For(DeploymentSpec spec, IReadOnlyList<string> groups, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(groups);
        if (spec.Forced || spec.Windows.Count == 0) return null;
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        if (day != _day)
        {
            _answers.Clear();
            _day = day;
        }
        var named = string.Join(',', Enumerable.Range(0, spec.Windows.Count).Where(i => groups.Contains(spec.Windows[i].Group, StringComparer.Ordinal)));
        if (named.Length == 0) return null;
        return _answers.GetOrAdd(new Key(spec.Windows, named, day), _ => InstallWindows.For(spec, groups, now));
    }

    /// <param name="Named">The indexes into <paramref name="Windows"/> of the windows the device's groups name.</param>
    private readonly record struct Key(EquatableList<MaintenanceWindow> Windows, string Named, DateOnly Day);
}
