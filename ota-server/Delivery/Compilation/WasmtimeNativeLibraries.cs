namespace AtymSecure.Delivery.Compilation;

/// <summary>Finds the per-platform libwasmtime.so files shipped in the Wasmtime NuGet package.</summary>
public static class WasmtimeNativeLibraries
{
    /// <summary>
    /// Path of <c>runtimes/&lt;rid&gt;/native/libwasmtime.so</c> (rid e.g. <c>linux-arm64</c>): next to this
    /// application first (framework-dependent builds copy every RID; a RID-specific publish has its own RID's
    /// library beside the app), then in the NuGet package cache.
    /// </summary>
    public static string Find(string rid)
    {
        ArgumentException.ThrowIfNullOrEmpty(rid);
        var relative = Path.Combine("runtimes", rid, "native", "libwasmtime.so");
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var thisRid = $"linux-{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        List<string> candidates =
        [
            Path.Combine(AppContext.BaseDirectory, relative),
            Path.Combine(packages, "wasmtime", BackEndVersions.Wasmtime, relative),
        ];
        // A RID-specific publish puts the library for its own RID next to the application.
        if (rid == thisRid) candidates.Insert(1, Path.Combine(AppContext.BaseDirectory, "libwasmtime.so"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new AotToolMissingException(
                $"libwasmtime.so for '{rid}' not found (looked in: {string.Join(", ", candidates)}); restore the Wasmtime {BackEndVersions.Wasmtime} NuGet package");
    }
}
