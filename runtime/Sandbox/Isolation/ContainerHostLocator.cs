namespace AtymSecure.Runtime.Isolation;

/// <summary>How to start the container host: the program and the arguments before the host's own.</summary>
internal sealed record ContainerHostCommand(string FileName, IReadOnlyList<string> PrefixArguments)
{
    public override string ToString() => string.Join(' ', [FileName, .. PrefixArguments]);
}

/// <summary>A container host that cannot be found or started (a broken install, not a container fault).</summary>
public sealed class ContainerHostNotFoundException(string message) : Exception(message)
{
    public ContainerHostNotFoundException() : this("container host not found") { }

    public ContainerHostNotFoundException(string message, Exception inner) : this(message) => _ = inner;
}

/// <summary>
/// Finds <c>AtymSecure.ContainerHost</c> for process mode. The host is a project reference of the agent, so the build
/// copies <c>AtymSecure.ContainerHost.dll</c> (with its <c>.runtimeconfig.json</c>, <c>.deps.json</c> and apphost) into
/// the agent's output folder, <see cref="AppContext.BaseDirectory"/>. It is started with the same .NET as the agent:
/// the <c>dotnet</c> muxer of the running runtime (three folders above <c>System.Private.CoreLib</c>:
/// <c>DOTNET_ROOT/shared/Microsoft.NETCore.App/VERSION/</c>) with <c>exec HOST.dll</c>; if there is no muxer there (an
/// app-local runtime), the host's apphost beside the dll. <see cref="Execution.RuntimeOptions.ContainerHostPath"/> (a
/// dll or an apphost) overrides the folder.
/// </summary>
internal static class ContainerHostLocator
{
    public const string AssemblyName = "AtymSecure.ContainerHost";

    public static ContainerHostCommand Locate(string? explicitPath)
    {
        var dll = explicitPath ?? Path.Combine(AppContext.BaseDirectory, AssemblyName + ".dll");
        if (explicitPath is not null && !explicitPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return File.Exists(explicitPath)
                ? new ContainerHostCommand(explicitPath, [])
                : throw new ContainerHostNotFoundException($"container host '{explicitPath}' does not exist");
        }
        if (!File.Exists(dll))
            throw new ContainerHostNotFoundException($"container host {dll} is missing: process mode needs {AssemblyName} beside the agent (a project reference of AtymSecure.DeviceAgent), or RuntimeOptions.ContainerHostPath");
        if (Muxer() is { } dotnet) return new ContainerHostCommand(dotnet, ["exec", dll]);
        var apphost = Path.Combine(Path.GetDirectoryName(dll)!, AssemblyName + (OperatingSystem.IsWindows() ? ".exe" : ""));
        return File.Exists(apphost)
            ? new ContainerHostCommand(apphost, [])
            : throw new ContainerHostNotFoundException($"no dotnet muxer for this runtime and no apphost {apphost}: cannot start the container host");
    }

    /// <summary>The <c>dotnet</c> executable of the runtime this process runs on, if it has one.</summary>
    private static string? Muxer()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == name) return self;
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location);
        if (string.IsNullOrEmpty(runtimeDirectory)) return null;
        var root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var candidate = Path.Combine(root, name);
        return File.Exists(candidate) ? candidate : null;
    }
}
