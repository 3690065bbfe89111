namespace AtymSecure.OtaMetadata.Keys;

/// <summary>
/// The roles whose keys live on the OTA server (docs/trust-model.md §1): they sign unattended, on every release and
/// before expiry. Root, top-level targets, vendors and the director root stay offline (<c>atym tuf</c>).
/// </summary>
public enum OnlineRole
{
    Snapshot,
    Timestamp,
    /// <summary>Every <c>compiler-CLASS</c> delegation (one key), compiled-output referrers and every bundle the server cuts.</summary>
    Compiler,
    /// <summary>The director's per-device targets documents.</summary>
    DirectorTargets,
}

public static class OnlineRoleNames
{
    public static IReadOnlyList<OnlineRole> All { get; } = [OnlineRole.Snapshot, OnlineRole.Timestamp, OnlineRole.Compiler, OnlineRole.DirectorTargets];

    /// <summary>The file-name and CLI spelling: <c>snapshot</c>, <c>timestamp</c>, <c>compiler</c>, <c>director-targets</c>.</summary>
    public static string Name(this OnlineRole role) => role switch
    {
        OnlineRole.Snapshot => "snapshot",
        OnlineRole.Timestamp => "timestamp",
        OnlineRole.Compiler => "compiler",
        OnlineRole.DirectorTargets => "director-targets",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown online role"),
    };

    public static bool TryParse(string? name, out OnlineRole role)
    {
        foreach (var candidate in All)
        {
            if (candidate.Name() != name) continue;
            role = candidate;
            return true;
        }
        role = default;
        return false;
    }
}
