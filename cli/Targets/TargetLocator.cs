using AtymSecure.Oci.Content;
using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Cli.Targets;

/// <summary>
/// Where content lives, as typed on the command line:
/// <c>oci:DIR[:tag|@digest]</c> is an OCI image-layout folder; anything else is a registry
/// reference <c>host[:port]/repo[:tag|@digest]</c>.
/// </summary>
public sealed record TargetLocator(ITarget Target, string? Reference, string Display)
{
    public const string LayoutPrefix = "oci:";

    public string RequireReference() =>
        Reference ?? throw new ArgumentException($"'{Display}' names no tag or digest");

    public static async Task<TargetLocator> OpenAsync(string text, RemoteSettings remote, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        if (text.StartsWith(LayoutPrefix, StringComparison.Ordinal))
        {
            var (path, reference) = SplitLayout(text[LayoutPrefix.Length..]);
            return new TargetLocator(await OciLayoutStore.OpenAsync(path, ct).ConfigureAwait(false), reference, text);
        }
        var parsed = Oci.Wire.Reference.Parse(text);
        var repository = new Repository(parsed, remote.ToOptions(parsed.Registry));
        return new TargetLocator(repository, parsed.ContentReference, text);
    }

    /// <summary>Splits <c>DIR[:tag|@digest]</c>; a colon followed by a valid tag ends the path.</summary>
    public static (string Path, string? Reference) SplitLayout(string text)
    {
        var at = text.LastIndexOf('@');
        if (at > 0 && Digest.TryParse(text[(at + 1)..], out _)) return (text[..at], text[(at + 1)..]);
        var colon = text.LastIndexOf(':');
        if (colon > 0 && Oci.Wire.Reference.IsValidTag(text[(colon + 1)..]) && !text[(colon + 1)..].Contains('/', StringComparison.Ordinal))
            return (text[..colon], text[(colon + 1)..]);
        return (text, null);
    }
}

/// <summary>Connection settings shared by every verb that talks to a registry.</summary>
public sealed record RemoteSettings(bool PlainHttp, string? Username, string? Password)
{
    public RemoteOptions ToOptions(string registry) => new()
    {
        PlainHttp = PlainHttp ? true : null,
        Credentials = Username is null ? null : new StaticCredentialProvider(registry, new Credential(Username, Password)),
    };
}
