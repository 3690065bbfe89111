using Microsoft.AspNetCore.Http;

namespace AtymSecure.Registry.Http;

/// <summary>Actions of the Docker token scope grammar (<c>repository:name:pull,push,delete</c>).</summary>
public static class RegistryActions
{
    public const string Pull = "pull";
    public const string Push = "push";
    public const string Delete = "delete";
}

/// <summary>
/// Decides whether a request may do <c>action</c> on a repository. Throws <see cref="RegistryException"/>
/// (401 UNAUTHORIZED with a challenge, 403 DENIED) when not.
/// </summary>
public interface IRegistryAuthorizer
{
    /// <summary><paramref name="repository"/> is null for <c>/v2/</c> itself.</summary>
    void Demand(HttpContext context, string? repository, params string[] actions);

    /// <summary>True when the caller may pull <paramref name="repository"/> (for mount sources; never throws).</summary>
    bool CanPull(HttpContext context, string repository);
}

/// <summary>Auth off: everyone may do everything (the local quickstart default).</summary>
public sealed class AllowAllAuthorizer : IRegistryAuthorizer
{
    public void Demand(HttpContext context, string? repository, params string[] actions)
    {
    }

    public bool CanPull(HttpContext context, string repository) => true;
}
