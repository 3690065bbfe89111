using AtymSecure.Primitives;

namespace AtymSecure.Container.Build;

/// <summary>
/// <c>atym build</c> refused the inputs; <see cref="ProblemException.Problems"/> lists every reason, each with a
/// <see cref="BuildProblemCodes"/> code and the field, file or module part at fault.
/// </summary>
public sealed class ContainerBuildException : ProblemException
{
    private const string Heading = "build refused";

    public ContainerBuildException(IReadOnlyList<Problem> problems) : base(Heading, problems) { }

    public ContainerBuildException(string code, string path, string message) : base(Heading, new Problem(code, path, message)) { }

    public ContainerBuildException() : base(Heading) { }

    public ContainerBuildException(string message) : base(message) { }

    public ContainerBuildException(string message, Exception innerException) : base(message, innerException) { }
}
