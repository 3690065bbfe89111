namespace AtymSecure.Postgres;

/// <summary>
/// A store could not open its PostgreSQL database at start: the server is unreachable, refused the login, or has no such
/// database. The message names the store, the URL (password redacted) and the server's or the network's reason.
/// </summary>
public sealed class StoreConnectionException(string store, string target, string reason, Exception inner)
    : Exception($"the {store} cannot open its PostgreSQL database {target}: {reason}", inner)
{
    public string Store { get; } = store;
}
