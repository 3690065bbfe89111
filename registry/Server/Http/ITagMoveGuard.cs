using AtymSecure.Primitives;
using AtymSecure.Registry.Storage;

namespace AtymSecure.Registry.Http;

/// <summary>
/// A manifest PUT that would point <see cref="Tags"/> of <see cref="Repository"/> at <see cref="Manifest"/>: asked
/// before anything is stored. <see cref="ManifestBytes"/> are the bytes being pushed (the digest is theirs).
/// </summary>
public sealed record TagMove(string Repository, IReadOnlyList<string> Tags, Digest Manifest, string MediaType, ReadOnlyMemory<byte> ManifestBytes);

/// <summary>
/// A guard's answer: allowed; allowed with a warning (an audit-level rule that would have refused: the client sees it
/// as an OCI <c>Warning: 299</c> header); or refused with a message the client sees in the <c>DENIED</c> error.
/// </summary>
public sealed record TagMoveDecision(bool Allowed, string Message, bool Warn = false)
{
    public static TagMoveDecision Allow(string message) => new(true, message);

    public static TagMoveDecision AllowWithWarning(string message) => new(true, message, Warn: true);

    public static TagMoveDecision Refuse(string message) => new(false, message);
}

/// <summary>
/// Decides whether a tag may move to a manifest (issue 15 §3: protected repositories refuse a tag move to a manifest
/// the trust policy does not accept). Called on every manifest PUT that names a tag, before the manifest or a tag is
/// stored; a push by digest moves no tag and is not asked. <paramref name="content"/> reads what the registry holds
/// in the repository (the signatures and attestations attached as referrers) plus the manifest being pushed.
/// </summary>
public interface ITagMoveGuard
{
    Task<TagMoveDecision> CheckAsync(TagMove move, RepositoryContentView content, CancellationToken cancellationToken);
}

/// <summary>No policy configured: every tag move is allowed (the registry's default).</summary>
public sealed class UnguardedTagMoves : ITagMoveGuard
{
    public Task<TagMoveDecision> CheckAsync(TagMove move, RepositoryContentView content, CancellationToken cancellationToken) =>
        Task.FromResult(TagMoveDecision.Allow("no tag policy"));
}
