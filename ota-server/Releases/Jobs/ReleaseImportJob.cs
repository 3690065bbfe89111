using System.Text;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaReleases.Jobs;

/// <summary>The job kind that runs <see cref="ReleaseImporter.ImportAsync"/>; its result is the release id.</summary>
public sealed class ReleaseImportJob(ReleaseImporter importer) : IJobHandler
{
    public const string JobKind = "release-import";

    public string Kind => JobKind;

    public async Task<string> RunAsync(Job job, Func<string, Task> progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        var request = ReleaseRequest.Parse(Encoding.UTF8.GetBytes(job.Request));
        return (await importer.ImportAsync(request, progress, ct).ConfigureAwait(false)).Id;
    }
}
