using AtymSecure.Oci;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Remote.Auth;

namespace AtymSecure.Cli.Targets;

/// <summary>
/// A target as typed on the command line (grammar: <see cref="TargetSpec"/>): <c>oci:DIR[:tag|@digest]</c>
/// is an OCI image-layout folder; anything else a registry reference <c>host[:port]/repo[:tag|@digest]</c>.
/// </summary>
public sealed record TargetLocator(ITarget Target, string? Reference, string Display)
{
    public string RequireReference() =>
        Reference ?? throw new ArgumentException($"'{Display}' names no tag or digest");

    public static async Task<TargetLocator> OpenAsync(string text, RemoteSettings remote, CancellationToken ct)
    {
        var location = TargetSpec.Parse(text);
        var host = location.Kind == TargetKind.Registry ? location.Location[..location.Location.IndexOf('/', StringComparison.Ordinal)] : "";
        var opened = await TargetSpec.OpenAsync(text, remote.ToOptions(host), ct).ConfigureAwait(false);
        return new TargetLocator(opened.Target, opened.Reference, text);
    }
}

/// <summary>Connection settings shared by every verb that talks to a registry.</summary>
public sealed record RemoteSettings(bool PlainHttp, string? Username, string? Password)
{
    /// <summary>Explicit user/password first, else the docker config.json credentials of that host.</summary>
    public RemoteOptions ToOptions(string registry) => new()
    {
        PlainHttp = PlainHttp ? true : null,
        Credentials = Username is null
            ? DockerConfigCredentialProvider.Load(DockerConfigCredentialProvider.DefaultPath())
            : new StaticCredentialProvider(registry, new Credential(Username, Password)),
    };
}
