namespace AtymSecure.Primitives;

/// <summary>
/// One thing wrong with an input, the way every validator and verifier reports it: a stable machine-readable
/// <see cref="Code"/> (kebab-case, e.g. <c>counter-rollback</c>, <c>name-too-long</c>), the <see cref="Path"/> of what is
/// wrong inside the input (a JSON path such as <c>$.permissions[2]</c>, a header field such as
/// <c>header.securityCounter</c>), a <see cref="Message"/> for people, and where the input came from a file, the
/// <see cref="Position"/> in it. Validators return every problem at once (<see cref="IReadOnlyList{T}"/>); callers that must
/// refuse throw <see cref="ProblemException"/> with the list. Codes are part of the contract: tests, problem+json
/// <c>type</c> URIs and device reports name them, so a code is never reused for another meaning.
/// </summary>
public sealed record Problem(string Code, string Path, string Message, SourcePosition? Position = null)
{
    public override string ToString() => Position is { } at ? $"{at}: {Path}: {Message}" : $"{Path}: {Message}";
}

/// <summary>A place in a source file, 1-based, as editors and CI annotations show it.</summary>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
