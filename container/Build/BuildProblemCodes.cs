namespace AtymSecure.Container.Build;

/// <summary>
/// The <see cref="AtymSecure.Primitives.Problem.Code"/>s of <c>atym build</c> refusals (<see cref="ContainerBuildException"/>)
/// and of <see cref="ModuleCompatibility"/>, which the artifact reader applies too. Paths name the config field or module
/// part involved (<c>entrypoint</c>, <c>healthCheck.probe</c>, <c>imports['atym.log']</c>, <c>resources.maxMemoryBytes</c>).
/// Stable: tests name them.
/// </summary>
public static class BuildProblemCodes
{
    public const string ImportNotGranted = "import-not-granted";
    public const string ExportMissing = "export-missing";
    public const string ExportNotFunction = "export-not-function";
    public const string ExportSignature = "export-signature";
    public const string MultipleMemories = "multiple-memories";
    public const string UnsupportedMemory = "unsupported-memory";
    public const string MemoryAboveLimit = "memory-above-limit";
    public const string InvalidModule = "invalid-module";
    public const string TooLarge = "too-large";
    public const string BlobMismatch = "blob-mismatch";
    public const string InvalidSourceDateEpoch = "invalid-source-date-epoch";
}
