using AtymSecure.TestSupport;

namespace AtymSecure.Signer.Tests.Infrastructure;

/// <summary>
/// The npm Sigstore packages in tests/node (installed by scripts/test-deps.sh with <c>npm ci</c>).
/// Missing node or node_modules fails the test with the command to run, never skips it.
/// </summary>
public static class NodePeer
{
    public const int Verified = 0;
    public const int Rejected = 1;

    public static string Folder { get; } = RepositoryRoot.File("tests/node");

    private static string RequireInstalled()
    {
        var node = ExternalTool.Require("node", "install Node.js (Debian package 'nodejs') — scripts/test-deps.sh");
        foreach (var package in new[] { "@sigstore/verify", "@sigstore/bundle", "@sigstore/protobuf-specs", "@sigstore/oci", "promise-retry" })
        {
            if (!Directory.Exists(Path.Combine(Folder, "node_modules", package)))
                throw new InvalidOperationException(
                    $"npm package {package} is missing from {Folder}/node_modules: run `npm ci` in tests/node (scripts/test-deps.sh does it)");
        }
        return node;
    }

    /// <summary>Runs <c>node tests/node/&lt;script&gt; args</c>. Exit 2 means a usage/setup problem and fails the test here.</summary>
    public static async Task<ToolResult> RunAsync(string script, params string[] args)
    {
        var node = RequireInstalled();
        var result = await ExternalTool.RunAsync(node, [Path.Combine(Folder, script), .. args], workingDirectory: Folder);
        if (result.ExitCode is not (Verified or Rejected))
            throw new InvalidOperationException($"node {script} did not run properly: {result}");
        return result;
    }

    /// <summary>@sigstore/verify on a bundle file with one trusted key.</summary>
    public static Task<ToolResult> VerifyAsync(string bundlePath, string publicKeyPath, string? artifactPath = null, bool ignoreHint = false)
    {
        var args = new List<string> { "--bundle", bundlePath, "--key", publicKeyPath };
        if (artifactPath is not null) args.AddRange(["--artifact", artifactPath]);
        if (ignoreHint) args.Add("--ignore-hint");
        return RunAsync("verify-bundle.js", [.. args]);
    }
}
