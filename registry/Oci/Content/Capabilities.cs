using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Content;

// Small capability interfaces in the shape of oras-go / ORAS.NET, so their docs and mental model
// transfer. Targets implement the ones they can; Copy and Packer ask only for what they use.

/// <summary>Reads content by descriptor. The stream verifies size and digest as it is read.</summary>
public interface IFetcher
{
    /// <exception cref="NotFoundException">the content is not in the target</exception>
    Task<Stream> FetchAsync(Descriptor target, CancellationToken cancellationToken = default);
}

/// <summary>Writes content; the store checks it against <paramref name="expected"/> before it becomes visible.</summary>
public interface IPusher
{
    /// <exception cref="DigestMismatchException">the content does not hash to expected.Digest</exception>
    /// <exception cref="SizeMismatchException">the content is not expected.Size bytes long</exception>
    /// <exception cref="AlreadyExistsException">a content-addressed store already holds it (remote registries accept re-pushes)</exception>
    Task PushAsync(Descriptor expected, Stream content, CancellationToken cancellationToken = default);
}

public interface IReadOnlyStorage : IFetcher
{
    Task<bool> ExistsAsync(Descriptor target, CancellationToken cancellationToken = default);
}

public interface IStorage : IReadOnlyStorage, IPusher
{
}

/// <summary>Turns a tag or digest string into the descriptor of a manifest.</summary>
public interface IResolver
{
    /// <exception cref="NotFoundException">unknown tag or digest</exception>
    Task<Descriptor> ResolveAsync(string reference, CancellationToken cancellationToken = default);
}

public interface ITagger
{
    /// <summary>Points <paramref name="tag"/> at an existing manifest.</summary>
    Task TagAsync(Descriptor target, string tag, CancellationToken cancellationToken = default);
}

public interface IDeleter
{
    Task DeleteAsync(Descriptor target, CancellationToken cancellationToken = default);
}

public interface ITagLister
{
    /// <summary>Tags in the order the store gives them (lexical for our registry), strictly after <paramref name="last"/>.</summary>
    IAsyncEnumerable<string> ListTagsAsync(string? last = null, CancellationToken cancellationToken = default);
}

/// <summary>Lists manifests whose <c>subject</c> is the given manifest (OCI v1.1 referrers).</summary>
public interface IReferrerLister
{
    /// <param name="artifactType">only referrers of this artifact type; null for all</param>
    IAsyncEnumerable<Descriptor> ListReferrersAsync(Descriptor subject, string? artifactType = null, CancellationToken cancellationToken = default);
}

/// <summary>Cross-repository blob mount (same registry).</summary>
public interface IMounter
{
    /// <param name="getContent">where to read the blob when the registry refuses the mount; null reads it from <paramref name="fromRepository"/></param>
    Task MountAsync(Descriptor target, string fromRepository, Func<CancellationToken, Task<Stream>>? getContent = null,
        CancellationToken cancellationToken = default);
}

public interface IReadOnlyTarget : IReadOnlyStorage, IResolver
{
}

/// <summary>Anything content can be copied to: a remote repository, an OCI layout folder, memory.</summary>
public interface ITarget : IReadOnlyTarget, IStorage, ITagger
{
}
