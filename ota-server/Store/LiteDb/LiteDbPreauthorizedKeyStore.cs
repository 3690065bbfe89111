
namespace AtymSecure.OtaStore.LiteDb;

/// <summary><see cref="IPreauthorizedKeyStore"/> over <see cref="OtaDatabase"/> (collection <c>preauthorized_keys</c>).</summary>
public sealed class LiteDbPreauthorizedKeyStore : IPreauthorizedKeyStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<PreauthorizedKey> _keys;

    public LiteDbPreauthorizedKeyStore(OtaDatabase database)
    {
        _database = database;
        _keys = new JsonCollection<PreauthorizedKey>(database, "preauthorized_keys", k => k.KeyFingerprint);
    }

    public bool TryAdd(PreauthorizedKey key) => _database.Write(() => _keys.Insert(key));

    public PreauthorizedKey? Find(string keyFingerprint) => _keys.Find(keyFingerprint);

    public bool Remove(string keyFingerprint) => _database.Write(() => _keys.Delete(keyFingerprint));
}
