using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Jobs;

/// <summary>
/// A job step failed for a reason that may pass (the registry is down or answers 5xx): the queue retries the job with
/// backoff instead of failing it. <see cref="Problem"/> is what the job's progress shows meanwhile.
/// </summary>
public sealed class TransientJobException : Exception
{
    public TransientJobException(Problem problem, Exception? innerException = null)
        : base(problem?.Message, innerException) => Problem = problem ?? throw new ArgumentNullException(nameof(problem));

    public TransientJobException() : this(new Problem("transient", "$", "temporary failure")) { }

    public TransientJobException(string message) : this(new Problem("transient", "$", message)) { }

    public TransientJobException(string message, Exception innerException) : this(new Problem("transient", "$", message), innerException) { }

    public Problem Problem { get; }
}
