namespace AtymSecure.TestSupport;

public static class RepoPaths
{
    /// <summary>The repository root (the directory holding AtymSecure.sln), found from the test binary upward.</summary>
    public static string Root { get; } = Find();

    public static string Samples => Path.Combine(Root, "samples");

    private static string Find()
    {
        var recorded = typeof(RepoPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        if (recorded is not null && File.Exists(Path.Combine(recorded, "AtymSecure.sln"))) return recorded;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AtymSecure.sln"))) return dir.FullName;
        }
        var cwd = new DirectoryInfo(Directory.GetCurrentDirectory());
        for (var dir = cwd; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AtymSecure.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("AtymSecure.sln not found above the test binaries or the working directory");
    }
}
