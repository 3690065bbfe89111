using System.Net;
using AtymSecure.Oci;
using AtymSecure.OtaReleases.Jobs;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Import;

/// <summary>Which registry failures may pass (retry later) and which are answers (refuse now).</summary>
internal static class RegistryFailures
{
    /// <summary>Runs <paramref name="step"/>, turning a registry that is down or overloaded into a <see cref="TransientJobException"/>.</summary>
    public static async Task<T> Transient<T>(string what, Func<Task<T>> step, CancellationToken ct)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransient(e, ct))
        {
            throw new TransientJobException(new Problem(ReleaseProblemCodes.RegistryUnavailable, "$.reference",
                $"the registry is unavailable while {what}: {e.Message}"), e);
        }
    }

    public static bool IsTransient(Exception e, CancellationToken ct) => e switch
    {
        TransientJobException => false, // already classified
        HttpRequestException => true,
        TaskCanceledException when !ct.IsCancellationRequested => true, // HttpClient timeout
        RegistryResponseException r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests,
        IOException and not FileNotFoundException and not DirectoryNotFoundException => true,
        _ => e.InnerException is { } inner && IsTransient(inner, ct),
    };
}
