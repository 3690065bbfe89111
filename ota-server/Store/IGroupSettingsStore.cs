namespace AtymSecure.OtaStore;

/// <summary>Device groups' settings by group name (a group has settings only once an admin set them).</summary>
public interface IGroupSettingsStore
{
    GroupSettings? Find(string group);

    /// <summary>Every group's settings, ordered by group name (ordinal).</summary>
    IReadOnlyList<GroupSettings> List();

    /// <summary>Stores <paramref name="settings"/>, replacing the group's earlier settings.</summary>
    void Set(GroupSettings settings);

    /// <summary>False when the group had no settings.</summary>
    bool Remove(string group);
}
