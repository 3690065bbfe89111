using AtymSecure.Container.Project;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.Container.Tests;

public class ContainerProjectTests
{
    [Fact]
    public void Loads_a_sample_with_its_blob_digest_filled_in()
    {
        var p = ContainerProject.Load(TestPaths.File("samples/anomaly-detector"));
        Assert.Equal(("anomaly-detector", "1.0.0"), (p.Config.Name, p.Config.Version!.ToString()));
        Assert.EndsWith("anomaly-detector.wasm", p.ModulePath);
        var blob = Assert.Single(p.Config.Blobs);
        var bytes = System.IO.File.ReadAllBytes(TestPaths.File("samples/anomaly-detector/model.bin"));
        Assert.Equal(("model", bytes.Length, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))),
            (blob.Name, (int)blob.Size, blob.Digest));
        Assert.Equal("application/vnd.atym.sample.zscore-model.v1", blob.MediaType);
    }

    [Fact]
    public void Reports_every_project_problem_at_once_with_paths()
    {
        using var temp = TempFolder.Create("container");
        var dir = temp.Path;
        var yaml = """
            name: Bad
            version: "1"
            module: ../outside.wasm
            permissions: [log, warp]
            blobs:
              - name: model
                file: missing.bin
              - name: other
            targets: [linux-x86_64, esp32]
            """;
        var errors = Assert.Throws<ContainerConfigException>(() => ContainerProject.Parse(yaml, dir)).Problems;
        Assert.Equal(
            ["$.blobs[0].file", "$.blobs[1].file", "$.module", "$.name", "$.permissions[1]", "$.targets[1]", "$.version"],
            errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Contains(errors, e => e.Path == "$.module" && e.Message.Contains("outside the project folder", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "$.blobs[0].file" && e.Message.Contains("'missing.bin' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Requires_the_module_field_and_refuses_absolute_paths()
    {
        using var temp = TempFolder.Create("container");
        var dir = temp.Path;
        var missing = Assert.Throws<ContainerConfigException>(() => ContainerProject.Parse("name: a\nversion: 1.0.0\n", dir)).Problems;
        Assert.Contains(missing, e => e.Path == "$.module" && e.Message.StartsWith("required", StringComparison.Ordinal));
        var absolute = Assert.Throws<ContainerConfigException>(() => ContainerProject.Parse("name: a\nversion: 1.0.0\nmodule: /etc/passwd\n", dir)).Problems;
        Assert.Contains(absolute, e => e.Path == "$.module" && e.Message.Contains("must be relative", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_atym_yaml_says_how_to_create_one()
    {
        using var empty = TempFolder.Create("container");
        var e = Assert.Throws<FileNotFoundException>(() => ContainerProject.Load(empty.Path));
        Assert.Contains("atym init", e.Message);
    }

    [Fact]
    public void Oversized_atym_yaml_is_refused_before_parsing()
    {
        using var temp = TempFolder.Create("container");
        var dir = temp.Path;
        System.IO.File.WriteAllText(Path.Combine(dir, "atym.yaml"), "# " + new string('x', 70_000));
        Assert.Contains("limit 65536", Assert.Single(Assert.Throws<ContainerConfigException>(() => ContainerProject.Load(dir)).Problems).Message);
    }

    [Fact]
    public void Init_scaffolds_a_project_that_loads_once_the_module_exists_and_never_overwrites()
    {
        using var temp = TempFolder.Create("container");
        var dir = temp.File("My Thing");
        var files = ProjectScaffolder.Init(dir);
        Assert.Equal(["atym.yaml", "main.c"], files.Select(Path.GetFileName));
        System.IO.File.Copy(TestPaths.File("samples/faulty/faulty.wasm"), Path.Combine(dir, "my-thing.wasm"));
        var project = ContainerProject.Load(dir);
        Assert.Equal(("my-thing", "atym_step", "atym_health"), (project.Config.Name, project.Config.Entrypoint, project.Config.HealthCheck!.Probe));
        Assert.Throws<IOException>(() => ProjectScaffolder.Init(dir));
        Assert.Throws<ArgumentException>(() => ProjectScaffolder.Init(temp.Folder("other"), "Bad Name"));
    }
}
