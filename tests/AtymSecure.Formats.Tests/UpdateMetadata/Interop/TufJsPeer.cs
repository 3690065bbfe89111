using System.Text.Json;
using AtymSecure.TestSupport;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Interop;

/// <summary>
/// tuf-js 6.0.2 and @tufjs/canonical-json in tests/node (installed by scripts/test-deps.sh with <c>npm ci</c>). A
/// missing node or package fails the test with the command to run; it never skips.
/// </summary>
internal static class TufJsPeer
{
    public const int Refreshed = 0;
    public const int Refused = 1;

    private static string Folder => RepositoryRoot.File("tests/node");

    private static string RequireInstalled()
    {
        var node = ExternalTool.Require("node", "install Node.js (Debian package 'nodejs') — scripts/test-deps.sh");
        foreach (var package in new[] { "tuf-js", "@tufjs/canonical-json", "@tufjs/models" })
        {
            var manifest = Path.Combine(Folder, "node_modules", package, "package.json");
            if (!File.Exists(manifest))
                throw new InvalidOperationException($"npm package {package} is missing from {Folder}/node_modules: run `npm ci` in tests/node (scripts/test-deps.sh does it)");
        }
        using var tufJs = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "node_modules", "tuf-js", "package.json")));
        var version = tufJs.RootElement.GetProperty("version").GetString();
        if (version != "6.0.2") throw new InvalidOperationException($"tests/node has tuf-js {version}, the interop tests pin 6.0.2: run `npm ci` in tests/node");
        return node;
    }

    private static async Task<ToolResult> RunAsync(string script, params string[] args)
    {
        var result = await ExternalTool.RunAsync(RequireInstalled(), [Path.Combine(Folder, script), .. args], workingDirectory: Folder);
        if (result.ExitCode is not (Refreshed or Refused)) throw new InvalidOperationException($"node {script} did not run properly: {result}");
        return result;
    }

    /// <summary>A tuf-js refresh (and optional download) with <paramref name="dir"/> as its metadata folder; the verdict line.</summary>
    public static async Task<JsonElement> RefreshAsync(LoopbackMetadataServer server, string dir, string? target = null)
    {
        List<string> args = ["--metadata-url", server.MetadataUrl.ToString(), "--targets-url", server.TargetsUrl.ToString(), "--dir", dir];
        if (target is not null) args.AddRange(["--target", target, "--out", Path.Combine(dir, "downloaded")]);
        var result = await RunAsync("tuf-client.js", [.. args]);
        var line = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"tuf-client.js printed nothing: {result}");
        using var verdict = JsonDocument.Parse(line);
        Assert.Equal(result.ExitCode == Refreshed, verdict.RootElement.GetProperty("ok").GetBoolean());
        return verdict.RootElement.Clone();
    }

    /// <summary>@tufjs/canonical-json over each JSON text: hex of the canonical bytes, or "error".</summary>
    public static async Task<string[]> CanonicalAsync(IReadOnlyList<string> jsonTexts, string scratch)
    {
        var input = Path.Combine(scratch, "canonical-inputs.json");
        await File.WriteAllTextAsync(input, JsonSerializer.Serialize(jsonTexts));
        var result = await RunAsync("tuf-canonical.js", input);
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
