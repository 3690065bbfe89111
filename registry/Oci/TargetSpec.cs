using AtymSecure.Oci.Content;
using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci;

public enum TargetKind
{
    Registry,
    Layout,
}

/// <summary>A parsed command-line target: where it is, and the tag or digest inside it (null when none was given).</summary>
public sealed record TargetLocation(TargetKind Kind, string Location, string? Reference);

/// <summary>An opened target plus the reference to use in it.</summary>
public sealed record OpenedTarget(ITarget Target, string? Reference, TargetLocation Location);

/// <summary>
/// The target syntax the <c>atym</c> verbs accept (one grammar for push, pull, copy, tag, ls…):
/// <c>host[:port]/repo[:tag][@digest]</c> for a registry, <c>oci:DIR[:tag|@digest]</c> (or
/// <c>oci-layout:</c>, skopeo's and oras's spellings) for an OCI image layout folder.
/// </summary>
public static class TargetSpec
{
    private static readonly string[] LayoutPrefixes = ["oci:", "oci-layout:"];

    /// <exception cref="InvalidReferenceException">the text is neither form</exception>
    public static TargetLocation Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var prefix in LayoutPrefixes)
        {
            if (!spec.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var body = spec[prefix.Length..];
            string? reference = null;
            var at = body.LastIndexOf('@');
            if (at >= 0)
            {
                if (!Digest.TryParse(body[(at + 1)..], out _, out var error)) throw new InvalidReferenceException(spec, error!);
                reference = body[(at + 1)..];
                body = body[..at];
            }
            else
            {
                var colon = body.LastIndexOf(':');
                if (colon > 0 && body.IndexOf('/', colon) < 0)
                {
                    var tag = body[(colon + 1)..];
                    if (!Wire.Reference.IsValidTag(tag)) throw new InvalidReferenceException(spec, $"invalid tag '{tag}'");
                    reference = tag;
                    body = body[..colon];
                }
            }
            if (body.Length == 0) throw new InvalidReferenceException(spec, "missing layout folder");
            return new TargetLocation(TargetKind.Layout, body, reference);
        }
        var parsed = Wire.Reference.Parse(spec);
        return new TargetLocation(TargetKind.Registry, $"{parsed.Registry}/{parsed.Repository}", parsed.ContentReference);
    }

    /// <summary>Parses and opens: a <see cref="Repository"/> (with <paramref name="remote"/> options) or an <see cref="OciLayoutStore"/> (created if missing).</summary>
    public static async Task<OpenedTarget> OpenAsync(string spec, RemoteOptions? remote = null, CancellationToken cancellationToken = default)
    {
        var location = Parse(spec);
        ITarget target = location.Kind == TargetKind.Layout
            ? await OciLayoutStore.OpenAsync(location.Location, cancellationToken).ConfigureAwait(false)
            : new Repository(location.Location, remote);
        return new OpenedTarget(target, location.Reference, location);
    }
}
