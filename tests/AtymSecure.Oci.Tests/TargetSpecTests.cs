using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.TestSupport;

namespace AtymSecure.Oci.Tests;

public sealed class TargetSpecTests
{
    [Theory]
    [InlineData("localhost:5000/demo/app:v1", TargetKind.Registry, "localhost:5000/demo/app", "v1")]
    [InlineData("localhost:5000/demo/app", TargetKind.Registry, "localhost:5000/demo/app", null)]
    [InlineData("reg.io/a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", TargetKind.Registry, "reg.io/a",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("oci:out/layout:v1", TargetKind.Layout, "out/layout", "v1")]
    [InlineData("oci:/abs/path", TargetKind.Layout, "/abs/path", null)]
    [InlineData("oci-layout:dir@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", TargetKind.Layout, "dir",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("oci:we:ird/dir", TargetKind.Layout, "we:ird/dir", null)]
    public void Parses_registry_and_layout_forms(string spec, TargetKind kind, string location, string? reference)
    {
        var t = TargetSpec.Parse(spec);
        Assert.Equal(kind, t.Kind);
        Assert.Equal(location, t.Location);
        Assert.Equal(reference, t.Reference);
    }

    [Theory]
    [InlineData("oci:")]
    [InlineData("oci:dir:bad tag")]
    [InlineData("oci:dir@sha256:short")]
    [InlineData("justaname")]
    [InlineData("localhost/UPPER")]
    public void Refuses_bad_specs_with_the_typed_exception(string spec) =>
        Assert.Throws<InvalidReferenceException>(() => TargetSpec.Parse(spec));

    [Fact]
    public async Task Opens_layouts_and_repositories()
    {
        using var dir = TempFolder.Create("oci-test");
        var layout = await TargetSpec.OpenAsync($"oci:{dir.Path}/l:v2");
        Assert.IsType<OciLayoutStore>(layout.Target);
        Assert.Equal("v2", layout.Reference);
        Assert.True(File.Exists(Path.Combine(dir.Path, "l", "oci-layout")));
        var repo = Assert.IsType<Repository>((await TargetSpec.OpenAsync("localhost:5000/x/y:t")).Target);
        Assert.Equal("x/y", repo.Name);
    }
}
