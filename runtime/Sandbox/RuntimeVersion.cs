using AtymSecure.Formats.Container;

namespace AtymSecure.Runtime;

/// <summary>
/// The version of this device runtime (the sandbox and its device API), as containers' <c>minRuntimeVersion</c>
/// names it (docs/container-format.md). Raise it when the device API gains something a container may depend on;
/// a device refuses at install a container whose <c>minRuntimeVersion</c> is newer than this.
/// </summary>
public static class RuntimeVersion
{
    public static SemanticVersion Current { get; } = SemanticVersion.Release(0, 3, 0);

    /// <summary>True when a container that needs <paramref name="minimum"/> (null: any) runs on <paramref name="runtime"/>.</summary>
    public static bool Satisfies(SemanticVersion? minimum, SemanticVersion runtime) => minimum is null || minimum <= runtime;
}
