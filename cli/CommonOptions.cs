using System.CommandLine;
using AtymSecure.Cli.Targets;

namespace AtymSecure.Cli;

/// <summary>Options several verbs share, declared once.</summary>
internal static class CommonOptions
{
    public static readonly Option<bool> PlainHttp = new("--plain-http")
    {
        Description = "Talk plain HTTP to the registry (always the case for localhost and 127.0.0.1)",
    };

    public static readonly Option<string?> Username = new("--username", "-u")
    {
        Description = "Registry user name (or ATYM_REGISTRY_USERNAME)",
    };

    public static readonly Option<string?> Password = new("--password", "-p")
    {
        Description = "Registry password (or ATYM_REGISTRY_PASSWORD)",
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON instead of a table" };

    public static void AddRemote(Command command)
    {
        command.Options.Add(PlainHttp);
        command.Options.Add(Username);
        command.Options.Add(Password);
    }

    /// <summary>A registry reference <c>host/repo:tag|@digest</c> as typed: the repository and the tag or digest in it.</summary>
    public static AtymSecure.Oci.Remote.Repository OpenRepository(string text, ParseResult result, out string reference)
    {
        var parsed = AtymSecure.Oci.Wire.Reference.Parse(text);
        reference = parsed.ContentReference ?? throw new ArgumentException($"'{text}' names no tag or digest");
        return new AtymSecure.Oci.Remote.Repository(parsed, Remote(result).ToOptions(parsed.Registry));
    }

    public static RemoteSettings Remote(ParseResult result) => new(
        result.GetValue(PlainHttp),
        result.GetValue(Username) ?? Environment.GetEnvironmentVariable("ATYM_REGISTRY_USERNAME"),
        result.GetValue(Password) ?? Environment.GetEnvironmentVariable("ATYM_REGISTRY_PASSWORD"));
}
