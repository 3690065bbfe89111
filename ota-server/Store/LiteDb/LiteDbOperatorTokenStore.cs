using LiteDB;

namespace AtymSecure.OtaStore.LiteDb;

/// <summary><see cref="IOperatorTokenStore"/> over <see cref="OtaDatabase"/> (collection <c>operator_tokens</c>).</summary>
public sealed class LiteDbOperatorTokenStore : IOperatorTokenStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<OperatorToken> _tokens;

    public LiteDbOperatorTokenStore(OtaDatabase database)
    {
        _database = database;
        _tokens = new JsonCollection<OperatorToken>(database, "operator_tokens", t => t.Id,
            t => [("createdMs", t.CreatedAt.ToUnixTimeMilliseconds())], "createdMs");
    }

    public bool TryAdd(OperatorToken token) => _database.Write(() => _tokens.Insert(token));

    public OperatorToken? Find(string id) => _tokens.Find(id);

    public IReadOnlyList<OperatorToken> List() => _tokens.Query(null, [], "createdMs", int.MaxValue).ToList();

    public bool Revoke(string id, DateTimeOffset at) => _database.Write(() =>
    {
        if (_tokens.Find(id) is not { RevokedAt: null } token) return false;
        _tokens.Upsert(token with { RevokedAt = at });
        return true;
    });

    public bool Any() => _tokens.Exists();
}
