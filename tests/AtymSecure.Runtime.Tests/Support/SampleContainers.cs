using AtymSecure.Container.Project;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Permissions;

namespace AtymSecure.Runtime.Tests.Support;

/// <summary>The committed samples (samples/*/atym.yaml + .wasm + blobs) as runnable specs.</summary>
internal static class SampleContainers
{
    /// <summary>Loads sample <paramref name="directory"/>; grants default to exactly the permissions its config asks for.</summary>
    public static ContainerSpec Load(string directory, IEnumerable<string>? grants = null)
    {
        var path = Path.Combine(RepositoryRoot.Samples, directory);
        if (!File.Exists(Path.Combine(path, "atym.yaml")))
            throw new FileNotFoundException($"sample '{directory}' is missing (expected {path}/atym.yaml; samples/build.sh rebuilds the modules)");
        var project = ContainerProject.Load(path);
        var code = TestSpecs.WasmArtifact($"{project.Config.Name}@{project.Config.Version}", File.ReadAllBytes(project.ModulePath));
        var files = project.Blobs.ToDictionary(b => b.Name, b => b.FilePath, StringComparer.Ordinal);
        var blobs = BlobSet.Verify(project.Config.Blobs, r => File.ReadAllBytes(files[r.Name]));
        var granted = grants is null ? new GrantedPermissions(project.Config.Permissions) : GrantedPermissions.Parse(grants);
        return new ContainerSpec(project.Config, code, granted, blobs);
    }
}
