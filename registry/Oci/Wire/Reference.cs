using System.Text.RegularExpressions;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Wire;

/// <summary>
/// A reference <c>registry/repository[:tag][@digest]</c>.
/// Spec (name and tag grammar): https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-manifests
/// </summary>
public sealed partial record Reference
{
    public const int MaxRepositoryLength = 255;

    public required string Registry { get; init; }
    public required string Repository { get; init; }
    public string? Tag { get; init; }
    public Digest? Digest { get; init; }

    /// <summary>The digest if present, else the tag; what goes after <c>/manifests/</c>.</summary>
    public string? ContentReference => Digest?.ToString() ?? Tag;

    [GeneratedRegex("^[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex("^(?:[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]{1,5})?$", RegexOptions.CultureInvariant)]
    private static partial Regex RegistryPattern();

    public static bool IsValidRepository(string? name) =>
        name is { Length: > 0 and <= MaxRepositoryLength } && RepositoryPattern().IsMatch(name);

    public static bool IsValidTag(string? tag) => tag is not null && TagPattern().IsMatch(tag);

    /// <summary>Parses <c>host[:port]/repo[:tag][@digest]</c>; throws <see cref="InvalidReferenceException"/>.</summary>
    public static Reference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0) throw new InvalidReferenceException(text, "missing registry host (expected host[:port]/repository)");
        var registry = text[..slash];
        if (!RegistryPattern().IsMatch(registry)) throw new InvalidReferenceException(text, $"invalid registry '{registry}'");
        var rest = text[(slash + 1)..];
        Digest? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (!Primitives.Digest.TryParse(rest[(at + 1)..], out var d, out var error))
                throw new InvalidReferenceException(text, error!);
            digest = d;
            rest = rest[..at];
        }
        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon >= 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!IsValidTag(tag)) throw new InvalidReferenceException(text, $"invalid tag '{tag}'");
        }
        if (!IsValidRepository(rest)) throw new InvalidReferenceException(text, $"invalid repository name '{rest}'");
        return new Reference { Registry = registry, Repository = rest, Tag = tag, Digest = digest };
    }

    public static bool TryParse(string text, out Reference? reference)
    {
        try { reference = Parse(text); return true; }
        catch (InvalidReferenceException) { reference = null; return false; }
    }

    public Reference WithDigest(Digest digest) => this with { Digest = digest };

    public override string ToString() =>
        $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";
}

public sealed class InvalidReferenceException(string reference, string reason)
    : FormatException($"invalid reference '{reference}': {reason}")
{
    public string Reference { get; } = reference;
}
