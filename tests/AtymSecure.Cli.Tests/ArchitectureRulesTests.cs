using System.Xml.Linq;

namespace AtymSecure.Cli.Tests;

/// <summary>
/// The dependency rules of docs/architecture (README "Architecture"): read from the project files,
/// transitively, so a new reference that breaks a rule fails here.
/// </summary>
public class ArchitectureRulesTests
{
    private static readonly string Root = FindRoot();

    // The source location, not the binaries: builds may go to an --artifacts-path elsewhere.
    private static string FindRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(source)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AtymSecure.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("AtymSecure.sln not found above the test sources");
    }

    private static HashSet<string> TransitiveReferences(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([Path.GetFullPath(Path.Combine(Root, project))]);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            foreach (var include in XDocument.Load(current).Descendants("ProjectReference").Select(e => (string?)e.Attribute("Include")))
            {
                if (include is null) continue;
                var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, include));
                if (seen.Add(Path.GetRelativePath(Root, full).Replace('\\', '/'))) stack.Push(full);
            }
        }
        return seen;
    }

    private static readonly string[] ServerSide =
    [
        "registry/Server/AtymSecure.Registry.csproj",
        "ota-server/AtymSecure.Ota.csproj",
        "signer/AtymSecure.Signer.csproj",
        "container/AtymSecure.Container.csproj",
        "cli/AtymSecure.Cli.csproj",
    ];

    [Theory]
    [InlineData("device-bootloader/AtymSecure.Bootloader.csproj")]
    [InlineData("runtime/AtymSecure.Runtime.csproj")]
    public void Device_side_never_references_server_side(string project)
    {
        var references = TransitiveReferences(project);
        Assert.Contains("formats/AtymSecure.Formats.csproj", references);
        Assert.Empty(references.Intersect(ServerSide));
    }

    [Theory]
    [InlineData("formats/AtymSecure.Formats.csproj")]
    [InlineData("registry/Oci/AtymSecure.Oci.csproj")]
    public void Foundation_libraries_depend_on_nothing_of_ours(string project) =>
        Assert.Empty(TransitiveReferences(project));

    [Fact]
    public void Registry_server_uses_only_the_oci_library() =>
        Assert.Equal(["registry/Oci/AtymSecure.Oci.csproj"], TransitiveReferences("registry/Server/AtymSecure.Registry.csproj"));
}
