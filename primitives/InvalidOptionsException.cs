namespace AtymSecure.Primitives;

/// <summary>
/// A server's options that cannot be used (the registry's, the OTA service's); <see cref="ProblemException.Problems"/>
/// lists every problem with the option it is about. One type for every server: the heading names which options.
/// </summary>
public sealed class InvalidOptionsException : ProblemException
{
    /// <param name="subject">Whose options, as the heading says it: <c>registry</c> → "invalid registry options".</param>
    public InvalidOptionsException(string subject, IReadOnlyList<Problem> problems) : base($"invalid {subject} options", problems) { }

    public InvalidOptionsException() : base("invalid options") { }

    public InvalidOptionsException(string message) : base(message) { }

    public InvalidOptionsException(string message, Exception innerException) : base(message, innerException) { }
}
