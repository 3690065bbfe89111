using System.CommandLine;

namespace AtymSecure.Cli.Ota;

/// <summary>What every operator verb takes: <c>--server URL</c> and <c>--token T</c> (or <c>ATYM_OTA_TOKEN</c>).</summary>
internal static class OtaOptions
{
    public static readonly Option<string?> Server = new("--server") { Description = "OTA server URL, e.g. http://127.0.0.1:8080 (or ATYM_OTA_SERVER)" };

    public static readonly Option<string?> Token = new("--token") { Description = $"Operator token (or {OtaApiClient.TokenVariable})" };

    public static void Add(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(CommonOptions.Json);
    }

    public static OtaApiClient Client(ParseResult result)
    {
        var server = result.GetValue(Server) ?? Environment.GetEnvironmentVariable("ATYM_OTA_SERVER")
            ?? throw new ArgumentException("--server URL is required (or set ATYM_OTA_SERVER)");
        if (!Uri.TryCreate(server.Contains("://", StringComparison.Ordinal) ? server : "http://" + server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--server '{server}' is not an http(s) URL");
        var token = result.GetValue(Token) ?? Environment.GetEnvironmentVariable(OtaApiClient.TokenVariable)
            ?? throw new ArgumentException($"an operator token is required: --token T or {OtaApiClient.TokenVariable}");
        return new OtaApiClient(new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"), token);
    }
}
