namespace AtymSecure.Delivery.Compilation;

/// <summary>Finds the external tools and files the back ends need, failing with the Debian package to install.</summary>
public static class ToolLocator
{
    /// <summary>Full path of <paramref name="tool"/> on PATH, or <see cref="AotToolMissingException"/> naming the package.</summary>
    public static string Require(string tool, string debianPackage) =>
        Find(tool) ?? throw new AotToolMissingException(tool, debianPackage);

    /// <summary>Full path of <paramref name="tool"/> on PATH, or null.</summary>
    public static string? Find(string tool)
    {
        ArgumentException.ThrowIfNullOrEmpty(tool);
        if (tool.Contains('/', StringComparison.Ordinal)) return File.Exists(tool) ? tool : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Checks that a file or directory a package installs is present.</summary>
    public static string RequirePath(string path, string debianPackage)
    {
        if (File.Exists(path) || Directory.Exists(path)) return path;
        throw new AotToolMissingException(
            $"required path '{path}' is missing; install the Debian package '{debianPackage}' (apt-get install -y {debianPackage})");
    }
}
