namespace AtymSecure.Oci.Remote.Auth;

/// <summary>Docker token scopes (<c>repository:NAME:ACTIONS</c>) a request needs.</summary>
public static class Scopes
{
    public static string Pull(string repository) => $"repository:{repository}:pull";
    public static string Push(string repository) => $"repository:{repository}:pull,push";
    public static string Delete(string repository) => $"repository:{repository}:delete";
    public const string Catalog = "registry:catalog:*";

    /// <summary>A stable cache key for a set of scopes.</summary>
    public static string Key(IEnumerable<string> scopes) => string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
