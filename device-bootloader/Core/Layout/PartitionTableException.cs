using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Layout;

/// <summary>
/// A partition table or layout plan that cannot be used; <see cref="ProblemException.Problems"/> lists every problem found,
/// each with a code from <see cref="PartitionTableProblemCodes"/> and the path of the entry, header field or request at fault.
/// </summary>
public sealed class PartitionTableException : ProblemException
{
    private const string Heading = "invalid partition table";

    public PartitionTableException(IReadOnlyList<Problem> problems) : base(Heading, problems) { }

    public PartitionTableException(string code, string path, string message) : base(Heading, new Problem(code, path, message)) { }

    public PartitionTableException() : base(Heading) { }

    public PartitionTableException(string message) : base(message) { }

    public PartitionTableException(string message, Exception inner) : base(message, inner) { }
}
