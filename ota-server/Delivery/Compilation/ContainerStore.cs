using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// A store containers are read from that also lists referrers — a registry repository, an OCI layout, a memory
/// store: the cutter reads a container there, checks the signatures attached to it and finds its compiled
/// outputs. Wraps any store that has both capabilities.
/// </summary>
public sealed class ContainerStore : IReadOnlyTarget, IReferrerLister
{
    private readonly IReadOnlyTarget _content;
    private readonly IReferrerLister _referrers;

    private ContainerStore(IReadOnlyTarget content, IReferrerLister referrers)
    {
        _content = content;
        _referrers = referrers;
    }

    public static ContainerStore Of<TRepository>(TRepository repository) where TRepository : IReadOnlyTarget, IReferrerLister
    {
        ArgumentNullException.ThrowIfNull(repository);
        return repository as ContainerStore ?? new ContainerStore(repository, repository);
    }

    public Task<Stream> FetchAsync(Descriptor target, CancellationToken cancellationToken = default) => _content.FetchAsync(target, cancellationToken);

    public Task<bool> ExistsAsync(Descriptor target, CancellationToken cancellationToken = default) => _content.ExistsAsync(target, cancellationToken);

    public Task<Descriptor> ResolveAsync(string reference, CancellationToken cancellationToken = default) => _content.ResolveAsync(reference, cancellationToken);

    public IAsyncEnumerable<Descriptor> ListReferrersAsync(Descriptor subject, string? artifactType = null, CancellationToken cancellationToken = default) =>
        _referrers.ListReferrersAsync(subject, artifactType, cancellationToken);
}

/// <summary>A container version (tag or digest) and the store to read it from.</summary>
/// <param name="Repository">Name of the repository for messages (e.g. <c>127.0.0.1:5000/samples/sensor-filter</c>), or null.</param>
public sealed record ContainerSource(ContainerStore Store, string Reference, string? Repository = null)
{
    public static ContainerSource In<TRepository>(TRepository repository, string reference, string? repositoryName = null)
        where TRepository : IReadOnlyTarget, IReferrerLister =>
        new(ContainerStore.Of(repository), reference, repositoryName);

    /// <summary><c>repository:tag</c> or <c>repository@digest</c>, as a person typed it.</summary>
    public override string ToString() =>
        Repository is null ? Reference : Repository + (Reference.Contains(':', StringComparison.Ordinal) ? "@" : ":") + Reference;
}
