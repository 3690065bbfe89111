using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// A hawkBit DDI message refused by <see cref="DdiJson"/>: every <see cref="Problem"/> found (codes from
/// <see cref="DdiProblemCodes"/>, paths are JSON paths). The server answers it 400 (413 for
/// <see cref="DdiProblemCodes.TooLarge"/>) and stores nothing; a device treats an unreadable answer like an unreachable
/// server.
/// </summary>
public sealed class DdiMessageException : ProblemException
{
    public DdiMessageException(IReadOnlyList<Problem> problems) : base("DDI message refused", problems) { }

    public DdiMessageException(IReadOnlyList<Problem> problems, Exception innerException) : base("DDI message refused", problems, innerException) { }

    public DdiMessageException() : this([new Problem(DdiProblemCodes.Malformed, "$", "malformed message")]) { }

    public DdiMessageException(string message) : this([new Problem(DdiProblemCodes.Malformed, "$", message)]) { }

    public DdiMessageException(string message, Exception innerException) : this([new Problem(DdiProblemCodes.Malformed, "$", message)], innerException) { }

    /// <summary>Whether the message was refused for its size alone (answered 413, not 400).</summary>
    public bool IsTooLarge => Has(DdiProblemCodes.TooLarge);
}
