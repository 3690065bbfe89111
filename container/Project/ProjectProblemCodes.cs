namespace AtymSecure.Container.Project;

/// <summary>
/// Codes of the atym.yaml problems that only a project file has (its file paths); every other atym.yaml problem
/// carries a <see cref="AtymSecure.Formats.Container.ConfigProblemCodes"/> code, as the same field in JSON would.
/// </summary>
public static class ProjectProblemCodes
{
    public const string InvalidFilePath = "invalid-file-path";
    public const string OutsideProject = "outside-project";
    public const string FileNotFound = "file-not-found";
    public const string FileTooLarge = "file-too-large";
}
