using System.Xml.Linq;

namespace AtymSecure.Bootloader.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void The_bootloader_references_only_the_shared_formats_library()
    {
        var assembly = typeof(DeviceBootloader).Assembly;
        var ours = assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("AtymSecure.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(new[] { "AtymSecure.Formats" }, ours);
    }

    [Fact]
    public void The_bootloader_project_file_has_no_server_side_project_reference()
    {
        var dir = new DirectoryInfo(SourceDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AtymSecure.sln"))) dir = dir.Parent;
        Assert.True(dir is not null, "repository root (AtymSecure.sln) not found above the test output");
        var project = XDocument.Load(Path.Combine(dir!.FullName, "device-bootloader", "AtymSecure.Bootloader.csproj"));
        var references = project.Descendants("ProjectReference").Select(e => e.Attribute("Include")!.Value.Replace('\\', '/')).ToArray();
        Assert.Equal(new[] { "../formats/AtymSecure.Formats.csproj" }, references);
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string here = "") => Path.GetDirectoryName(here)!;
}
