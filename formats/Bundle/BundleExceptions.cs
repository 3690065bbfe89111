using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// The bytes are not a well-formed bundle of a version we read; every problem has the code
/// <see cref="ReasonCodes.BundleMalformed"/> and the path of the frame part or header field at fault.
/// </summary>
public sealed class BundleFormatException : ProblemException
{
    public BundleFormatException(string path, string message)
        : this([new Problem(ReasonCodes.BundleMalformed, path, message)])
    {
    }

    public BundleFormatException(IReadOnlyList<Problem> problems)
        : base("invalid bundle", problems)
    {
    }
}

/// <summary>
/// A well-formed bundle that must not be installed; <see cref="ProblemException.Problems"/> lists every check that
/// failed, each with its <see cref="ReasonCodes"/> code.
/// </summary>
public sealed class BundleVerificationException : ProblemException
{
    public BundleVerificationException(IReadOnlyList<Problem> problems)
        : base("bundle refused", problems)
    {
    }

    public BundleVerificationException(Problem problem)
        : this([problem])
    {
    }
}
