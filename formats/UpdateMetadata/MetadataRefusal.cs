using AtymSecure.Primitives;

namespace AtymSecure.Formats.UpdateMetadata;

/// <summary>
/// Why update metadata was refused, as a device reports it (docs/trust-model.md §3: <c>{code, step, role, detail}</c>):
/// a <see cref="ReasonCodes"/> value, the step of the device's order of checks, the TUF role and file it
/// concerns, the JSON path inside that file, and a sentence for people.
/// </summary>
public sealed record MetadataRefusal(string Code, string Path, string Detail, string? Role = null, string? File = null, int? Step = null)
{
    public Problem ToProblem() => new(Code, File is null ? Path : $"{File}:{Path}", Detail);

    public override string ToString() =>
        $"{Code}{(Step is { } s ? $" (step {s})" : "")}{(Role is null ? "" : $" role {Role}")}{(File is null ? "" : $" file {File}")}: {Path}: {Detail}";
}

/// <summary>
/// Update metadata refused for one <see cref="MetadataRefusal"/>. The only exception metadata parsing and
/// verification throw for bad input; callers branch on <see cref="Code"/>.
/// </summary>
public sealed class MetadataRefusedException : ProblemException
{
    public MetadataRefusedException(MetadataRefusal refusal)
        : base("update metadata", refusal.ToProblem()) => Refusal = refusal;

    public MetadataRefusedException(string code, string path, string detail)
        : this(new MetadataRefusal(code, path, detail))
    {
    }

    public MetadataRefusal Refusal { get; }

    public string Code => Refusal.Code;

    /// <summary>The same refusal with the role, file and step filled in where they were still unknown.</summary>
    public MetadataRefusedException In(string? role, string? file, int? step = null) => new(Refusal with
    {
        Role = Refusal.Role ?? role,
        File = Refusal.File ?? file,
        Step = Refusal.Step ?? step,
    });

    public override string Message => Refusal.ToString();
}
