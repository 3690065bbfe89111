namespace AtymSecure.OtaStore.LiteDb;

/// <summary><see cref="IGroupSettingsStore"/> over <see cref="OtaDatabase"/> (collection <c>group_settings</c>, by group name).</summary>
public sealed class LiteDbGroupSettingsStore : IGroupSettingsStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<GroupSettings> _settings;

    public LiteDbGroupSettingsStore(OtaDatabase database)
    {
        _database = database;
        _settings = new JsonCollection<GroupSettings>(database, "group_settings", s => s.Group);
    }

    public GroupSettings? Find(string group) => _settings.Find(group);

    public IReadOnlyList<GroupSettings> List() => [.. _settings.All().OrderBy(s => s.Group, StringComparer.Ordinal)];

    public void Set(GroupSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _database.Write(() =>
        {
            _settings.Upsert(settings);
            return true;
        });
    }

    public bool Remove(string group) => _database.Write(() => _settings.Delete(group));
}
