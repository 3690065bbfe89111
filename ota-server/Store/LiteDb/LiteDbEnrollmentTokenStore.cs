
namespace AtymSecure.OtaStore.LiteDb;

/// <summary><see cref="IEnrollmentTokenStore"/> over <see cref="OtaDatabase"/> (collection <c>enrollment_tokens</c>).</summary>
public sealed class LiteDbEnrollmentTokenStore : IEnrollmentTokenStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<EnrollmentToken> _tokens;

    public LiteDbEnrollmentTokenStore(OtaDatabase database)
    {
        _database = database;
        _tokens = new JsonCollection<EnrollmentToken>(database, "enrollment_tokens", t => t.Id,
            t => [("createdMs", t.CreatedAt.ToUnixTimeMilliseconds())], "createdMs");
    }

    public bool TryAdd(EnrollmentToken token) => _database.Write(() => _tokens.Insert(token));

    public EnrollmentToken? Find(string id) => _tokens.Find(id);

    public IReadOnlyList<EnrollmentToken> List() => _tokens.Query(null, [], "createdMs", int.MaxValue).ToList();

    public bool Revoke(string id, DateTimeOffset at) => _database.Write(() =>
    {
        if (_tokens.Find(id) is not { RevokedAt: null } token) return false;
        _tokens.Upsert(token with { RevokedAt = at });
        return true;
    });

    public bool TryConsume(string id, DateTimeOffset now) => _database.Write(() =>
    {
        if (_tokens.Find(id) is not { RevokedAt: null } token) return false;
        if (token.ExpiresAt is { } expires && expires <= now) return false;
        if (token.UsesLeft is { } left)
        {
            if (left <= 0) return false;
            _tokens.Upsert(token with { UsesLeft = left - 1 });
        }
        return true;
    });
}
