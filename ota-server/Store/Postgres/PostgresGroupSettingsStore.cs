namespace AtymSecure.OtaStore.Postgres;

/// <summary><see cref="IGroupSettingsStore"/> over <see cref="PostgresDatabase"/> (table <c>group_settings</c>, by group name).</summary>
public sealed class PostgresGroupSettingsStore(PostgresDatabase database) : IGroupSettingsStore
{
    public GroupSettings? Find(string group) =>
        database.Read(c => Sql.Document<GroupSettings>(c, "SELECT doc FROM group_settings WHERE group_name = $1", group));

    public IReadOnlyList<GroupSettings> List() => database.Read(c => Sql.Documents<GroupSettings>(c, "SELECT doc FROM group_settings ORDER BY group_name"));

    public void Set(GroupSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        database.Write(c => Sql.Execute(c,
            "INSERT INTO group_settings (group_name, doc) VALUES ($1, $2) ON CONFLICT (group_name) DO UPDATE SET doc = excluded.doc",
            settings.Group, Sql.Json.Of(settings)));
    }

    public bool Remove(string group) => database.Write(c => Sql.Execute(c, "DELETE FROM group_settings WHERE group_name = $1", group) == 1);
}
