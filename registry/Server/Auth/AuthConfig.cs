using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Primitives;
using AtymSecure.Registry.Hosting;
using AtymSecure.Registry.Http;

namespace AtymSecure.Registry.Auth;

/// <summary>
/// Who may do what: accounts (people and robots) with password hashes and per-repository-pattern
/// grants, optional anonymous grants, and token settings. Loaded from JSON or YAML
/// (see registry/Server/README.md, "Auth"); <see cref="Validate"/> reports every problem with its path.
/// </summary>
public sealed record AuthConfig
{
    /// <summary>The <c>service</c> of the token flow (audience of issued tokens).</summary>
    public string Service { get; init; } = "atym-registry";
    public string Issuer { get; init; } = "atym-registry";
    /// <summary>Absolute token URL sent in challenges; null = this registry's own <c>/token</c> as the client reached it.</summary>
    public string? Realm { get; init; }
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>PEM file of the P-256 token signing key; null = <c>DATA/auth/token-signing-key.pem</c>, generated on first start.</summary>
    public string? SigningKeyPath { get; init; }
    /// <summary>Rights of callers without credentials (e.g. pull on <c>public/**</c>); empty = none.</summary>
    public IReadOnlyList<GrantConfig> Anonymous { get; init; } = [];
    public IReadOnlyList<AccountConfig> Accounts { get; init; } = [];

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Service)) errors.Add("service: required");
        if (string.IsNullOrWhiteSpace(Issuer)) errors.Add("issuer: required");
        if (Realm is not null && !Uri.TryCreate(Realm, UriKind.Absolute, out _)) errors.Add($"realm: '{Realm}' is not an absolute URL");
        if (TokenLifetime <= TimeSpan.Zero || TokenLifetime > TimeSpan.FromHours(24)) errors.Add("tokenLifetime: must be between 0 and 24 hours");
        for (var i = 0; i < Anonymous.Count; i++) errors.AddRange(Anonymous[i].Validate($"anonymous[{i}]"));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Accounts.Count; i++)
        {
            var account = Accounts[i];
            var path = $"accounts[{i}]";
            if (account is null) { errors.Add($"{path}: null"); continue; }
            if (string.IsNullOrWhiteSpace(account.Name) || account.Name.Contains(':', StringComparison.Ordinal))
                errors.Add($"{path}.name: required, without ':'");
            else if (!names.Add(account.Name)) errors.Add($"{path}.name: '{account.Name}' appears twice");
            if (!PasswordHasher.IsWellFormed(account.PasswordHash))
                errors.Add($"{path}.passwordHash: expected '{PasswordHasher.Scheme}$<iterations>$<salt>$<hash>' (make one with PasswordHasher.Hash)");
            for (var g = 0; g < account.Grants.Count; g++) errors.AddRange(account.Grants[g].Validate($"{path}.grants[{g}]"));
        }
        return errors;
    }

    /// <summary>Loads and validates; throws <see cref="InvalidDataException"/> listing every problem.</summary>
    public static AuthConfig Load(string path)
    {
        var config = ConfigDocument.Load<AuthConfig>(path, ConfigFile.StrictJson);
        var errors = config.Validate();
        if (errors.Count > 0) throw new InvalidDataException($"{path}: " + string.Join("; ", errors));
        return config with { SigningKeyPath = ConfigFile.ResolveRelative(path, config.SigningKeyPath) };
    }
}

public sealed record AccountConfig
{
    public required string Name { get; init; }
    public required string PasswordHash { get; init; }
    /// <summary>Robot accounts are for automation; they are listed separately in audits but authorise the same way.</summary>
    public bool Robot { get; init; }
    public IReadOnlyList<GrantConfig> Grants { get; init; } = [];
}

/// <summary>Actions on repositories matching a glob: <c>*</c> = within one path segment, <c>**</c> = any depth.</summary>
public sealed record GrantConfig
{
    public required string Repositories { get; init; }
    public IReadOnlyList<string> Actions { get; init; } = [];

    public IEnumerable<string> Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Repositories)) yield return $"{path}.repositories: required glob";
        if (Actions.Count == 0) yield return $"{path}.actions: at least one of pull, push, delete";
        foreach (var action in Actions)
        {
            if (action is not (RegistryActions.Pull or RegistryActions.Push or RegistryActions.Delete or "*"))
                yield return $"{path}.actions: '{action}' is not pull, push, delete or *";
        }
    }
}
