namespace AtymSecure.OtaStore.Postgres;

/// <summary><see cref="IOperatorTokenStore"/> over <see cref="PostgresDatabase"/> (table <c>operator_tokens</c>; a revoke
/// locks the row, so two revokes of one token cannot both succeed).</summary>
public sealed class PostgresOperatorTokenStore(PostgresDatabase database) : IOperatorTokenStore
{
    public bool TryAdd(OperatorToken token) => database.Write(c => Sql.Execute(c,
        "INSERT INTO operator_tokens (id, created_ms, doc) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        token.Id, token.CreatedAt.ToUnixTimeMilliseconds(), Sql.Json.Of(token)) == 1);

    public OperatorToken? Find(string id) => database.Read(c => Sql.Document<OperatorToken>(c, "SELECT doc FROM operator_tokens WHERE id = $1", id));

    public IReadOnlyList<OperatorToken> List() => database.Read(c => Sql.Documents<OperatorToken>(c, "SELECT doc FROM operator_tokens ORDER BY created_ms, id"));

    public bool Revoke(string id, DateTimeOffset at) => database.Write(c =>
    {
        if (Sql.Document<OperatorToken>(c, "SELECT doc FROM operator_tokens WHERE id = $1 FOR UPDATE", id) is not { RevokedAt: null } token) return false;
        Sql.Execute(c, "UPDATE operator_tokens SET doc = $2 WHERE id = $1", id, Sql.Json.Of(token with { RevokedAt = at }));
        return true;
    });

    public bool Any() => database.Read(c => Sql.Scalar<bool>(c, "SELECT EXISTS (SELECT 1 FROM operator_tokens)"));
}

/// <summary><see cref="IEnrollmentTokenStore"/> over <see cref="PostgresDatabase"/> (table <c>enrollment_tokens</c>). A consume
/// or revoke locks the row (<c>FOR UPDATE</c>) before it checks, so concurrent enrolments never take more uses than there are.</summary>
public sealed class PostgresEnrollmentTokenStore(PostgresDatabase database) : IEnrollmentTokenStore
{
    public bool TryAdd(EnrollmentToken token) => database.Write(c => Sql.Execute(c,
        "INSERT INTO enrollment_tokens (id, created_ms, doc) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        token.Id, token.CreatedAt.ToUnixTimeMilliseconds(), Sql.Json.Of(token)) == 1);

    public EnrollmentToken? Find(string id) => database.Read(c => Sql.Document<EnrollmentToken>(c, "SELECT doc FROM enrollment_tokens WHERE id = $1", id));

    public IReadOnlyList<EnrollmentToken> List() => database.Read(c => Sql.Documents<EnrollmentToken>(c, "SELECT doc FROM enrollment_tokens ORDER BY created_ms, id"));

    public bool Revoke(string id, DateTimeOffset at) => Change(id, token => token.RevokedAt is null ? token with { RevokedAt = at } : null);

    public bool TryConsume(string id, DateTimeOffset now) => Change(id, token =>
        token.RevokedAt is not null || token.ExpiresAt is { } expires && expires <= now ? null
        : token.UsesLeft is { } left ? (left <= 0 ? null : token with { UsesLeft = left - 1 })
        : token);

    /// <summary>Locks the token, asks <paramref name="change"/> for its new value (null = refused) and stores it; true when not refused.</summary>
    private bool Change(string id, Func<EnrollmentToken, EnrollmentToken?> change) => database.Write(c =>
    {
        if (Sql.Document<EnrollmentToken>(c, "SELECT doc FROM enrollment_tokens WHERE id = $1 FOR UPDATE", id) is not { } token
            || change(token) is not { } changed) return false;
        if (!ReferenceEquals(changed, token)) Sql.Execute(c, "UPDATE enrollment_tokens SET doc = $2 WHERE id = $1", id, Sql.Json.Of(changed));
        return true;
    });
}
