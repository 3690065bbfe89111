using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// Opens repositories of the registry the server is configured with. A reference naming any other host is refused
/// (<see cref="ReleaseProblemCodes.RegistryNotAllowed"/>): a releaser token must not make the server fetch from
/// wherever it likes.
/// </summary>
public sealed class RegistryAccess
{
    private readonly string _host;
    private readonly RemoteOptions _options;

    /// <param name="registry">The registry, <c>host:port</c> or a URL (<c>http://</c> means plain HTTP).</param>
    /// <param name="options">Client options (credentials, HttpClient, retry); null: defaults, plain HTTP for an <c>http://</c> URL.</param>
    public RegistryAccess(string registry, RemoteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        var plain = registry.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
        _host = Uri.TryCreate(registry, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.Authority : registry.TrimEnd('/');
        _options = options ?? new RemoteOptions { PlainHttp = plain ? true : null };
    }

    /// <summary>The registry's <c>host:port</c>, the first part of every reference it accepts.</summary>
    public string Host => _host;

    /// <summary>Parses <c>host/repository:tag</c> or <c>host/repository@sha256:…</c> and opens its repository.</summary>
    /// <exception cref="ProblemException"><see cref="ReleaseProblemCodes.ReferenceInvalid"/> or <see cref="ReleaseProblemCodes.RegistryNotAllowed"/>.</exception>
    public (Repository Repository, string Reference) Open(string reference)
    {
        if (string.IsNullOrWhiteSpace(reference) || reference.Length > 512 || !Reference.TryParse(reference, out var parsed) || parsed!.ContentReference is null)
            throw new ProblemException("release refused", new Problem(ReleaseProblemCodes.ReferenceInvalid, "$.reference",
                $"'{Shorten(reference)}' is not host/repository:tag or host/repository@sha256:<hex>"));
        if (!string.Equals(parsed.Registry, _host, StringComparison.OrdinalIgnoreCase))
            throw new ProblemException("release refused", new Problem(ReleaseProblemCodes.RegistryNotAllowed, "$.reference",
                $"'{parsed.Registry}' is not this server's registry ({_host})"));
        return (new Repository(parsed, _options), parsed.ContentReference);
    }

    /// <summary>The repository <paramref name="repository"/> (<c>host/name</c>, as a release records it).</summary>
    public Repository OpenRepository(string repository) => Open(repository + ":latest").Repository;

    private static string Shorten(string? text) => text is null ? "" : text.Length > 80 ? text[..80] + "…" : text;
}
