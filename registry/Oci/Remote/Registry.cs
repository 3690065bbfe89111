using System.Net;
using System.Runtime.CompilerServices;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Remote;

/// <summary>
/// A remote registry host: ping (<c>GET /v2/</c>), the optional catalog, and a factory for
/// <see cref="Repository"/> objects that share one transport (connection pool, token cache).
/// </summary>
public sealed class Registry
{
    private readonly RegistryTransport _transport;

    /// <param name="registry"><c>host[:port]</c></param>
    public Registry(string registry, RemoteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        // Validate the host the same way references are validated.
        _ = Wire.Reference.Parse($"{registry}/probe");
        _transport = new RegistryTransport(registry, options ?? new RemoteOptions());
        Host = registry;
    }

    public string Host { get; }
    public bool PlainHttp => _transport.PlainHttp;

    /// <summary>A repository on this registry; validates the name.</summary>
    public Repository GetRepository(string name)
    {
        if (!Wire.Reference.IsValidRepository(name)) throw new InvalidReferenceException(name, "not a valid repository name");
        return new Repository(new Reference { Registry = Host, Repository = name }, _transport);
    }

    /// <summary>True when the host speaks the v2 API (200 on <c>/v2/</c>, after authenticating if challenged); false on 404.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        var url = _transport.Url("v2/");
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), [], retry: true, cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.OK) return true;
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        throw await ResponseErrors.CreateAsync(response, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Repository names from <c>/v2/_catalog</c> (optional in the spec; registries without it answer 404).</summary>
    public async IAsyncEnumerable<string> ListRepositoriesAsync(string? last = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = $"?n={_transport.Options.PageSize}" + (last is null ? "" : "&last=" + Uri.EscapeDataString(last));
        Uri? url = _transport.Url($"v2/_catalog{query}");
        while (url is not null)
        {
            var page = url;
            using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, page), [Scopes.Catalog], retry: true, cancellationToken)
                .ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
                throw await ResponseErrors.CreateAsync(response, "catalog", cancellationToken).ConfigureAwait(false);
            var bytes = await ResponseErrors.ReadBoundedAsync(response, _transport.Options.MaxManifestBytes, "catalog", cancellationToken).ConfigureAwait(false);
            foreach (var name in Repository.ParseStringList(bytes, "repositories", "catalog")) yield return name;
            url = LinkHeader.Next(response);
        }
    }
}
