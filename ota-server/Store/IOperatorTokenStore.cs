namespace AtymSecure.OtaStore;

/// <summary>Operator tokens by id. Implementations are thread-safe; every write is durable when the call returns.</summary>
public interface IOperatorTokenStore
{
    /// <summary>Adds a new token; false when the id exists (ids are random, so the caller draws a new one).</summary>
    bool TryAdd(OperatorToken token);

    OperatorToken? Find(string id);

    /// <summary>All tokens, oldest first.</summary>
    IReadOnlyList<OperatorToken> List();

    /// <summary>Marks the token revoked at <paramref name="at"/>; false when unknown or already revoked.</summary>
    bool Revoke(string id, DateTimeOffset at);

    /// <summary>Whether any token exists (an empty store gets the one-time admin token).</summary>
    bool Any();
}
