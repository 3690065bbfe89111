using AtymSecure.OtaReleases.Jobs;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaReleases.Tests.Support;

/// <summary>Passes a job to <paramref name="inner"/> and records how its last run ended.</summary>
internal sealed class RecordingHandler(IJobHandler inner) : IJobHandler
{
    public string Kind => inner.Kind;

    /// <summary>What the run threw (set when it ends by an exception).</summary>
    public TaskCompletionSource<Exception> Threw { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<string> RunAsync(Job job, Func<string, Task> progress, CancellationToken ct)
    {
        try
        {
            return await inner.RunAsync(job, progress, ct);
        }
        catch (Exception e)
        {
            Threw.TrySetResult(e);
            throw;
        }
    }
}
