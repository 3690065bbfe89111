using AtymSecure.Oci.Remote;
using AtymSecure.TestSupport;

namespace AtymSecure.Oci.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void The_client_library_depends_only_on_the_base_and_not_on_ASP_NET()
    {
        var references = typeof(Repository).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, n => n.StartsWith("AtymSecure.", StringComparison.Ordinal) && n != "AtymSecure.Primitives");
        Assert.DoesNotContain(references, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        var project = File.ReadAllText(RepositoryRoot.File("registry/Oci/AtymSecure.Oci.csproj"));
        var projectReferences = System.Text.RegularExpressions.Regex.Matches(project, "ProjectReference Include=\"([^\"]+)\"").Select(m => m.Groups[1].Value);
        Assert.Equal(["../../primitives/AtymSecure.Primitives.csproj"], projectReferences);
        Assert.DoesNotContain("PackageReference", project, StringComparison.Ordinal);
        Assert.DoesNotContain("FrameworkReference", project, StringComparison.Ordinal);
    }
}
