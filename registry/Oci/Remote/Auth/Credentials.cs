namespace AtymSecure.Oci.Remote.Auth;

/// <summary>
/// What a user gives to log in: username/password (basic auth, or basic to the token realm),
/// a refresh token (OAuth2 POST to the realm), or a ready registry access token.
/// </summary>
public sealed record Credential(string? Username = null, string? Password = null, string? RefreshToken = null, string? AccessToken = null)
{
    public bool HasBasic => !string.IsNullOrEmpty(Username) && Password is not null;
}

/// <summary>Supplies credentials per registry host (<c>host[:port]</c>); null means anonymous.</summary>
public interface ICredentialProvider
{
    ValueTask<Credential?> GetCredentialAsync(string registry, CancellationToken cancellationToken = default);
}

/// <summary>Credentials from a fixed table of hosts.</summary>
public sealed class StaticCredentialProvider : ICredentialProvider
{
    private readonly Dictionary<string, Credential> _byHost;

    public StaticCredentialProvider(IReadOnlyDictionary<string, Credential> byHost) =>
        _byHost = new Dictionary<string, Credential>(byHost, StringComparer.OrdinalIgnoreCase);

    public StaticCredentialProvider(string registry, Credential credential) : this(new Dictionary<string, Credential> { [registry] = credential })
    {
    }

    public ValueTask<Credential?> GetCredentialAsync(string registry, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_byHost.TryGetValue(registry, out var c) ? c : null);
}
