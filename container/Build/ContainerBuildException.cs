namespace AtymSecure.Container.Build;

/// <summary><c>atym build</c> refused the inputs; <see cref="Problems"/> lists every reason.</summary>
public sealed class ContainerBuildException : Exception
{
    public ContainerBuildException(IReadOnlyList<string> problems)
        : base($"build refused ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):\n  " + string.Join("\n  ", problems))
    {
        Problems = problems;
    }

    public ContainerBuildException()
        : this([])
    {
    }

    public ContainerBuildException(string message)
        : this([message])
    {
    }

    public ContainerBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public IReadOnlyList<string> Problems { get; }
}
