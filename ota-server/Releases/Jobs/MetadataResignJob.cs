using System.Text.Json;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaMetadata.Resigning;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Jobs;

/// <summary>
/// The job kind that runs one metadata re-signing round (<see cref="MetadataResigningService"/>): reads the shared folder
/// again and re-signs what is due at the round's due time (or now, if later). Idempotent: run again after a takeover it
/// re-signs only what is still due, finishing what a killed holder left half-published. A version another writer
/// published first (<see cref="MetadataVersionConflictException"/>) is transient: the next attempt reads the folder
/// again. Its result is what it re-signed (<c>snapshot,timestamp</c>, or <c>nothing due</c>).
/// </summary>
public sealed class MetadataResignJob(MetadataResigner resigner) : IJobHandler
{
    public const string JobKind = "metadata-resign";

    /// <summary>Code of a job whose request is not a round (only this server writes them: a damaged store).</summary>
    public const string MalformedRequestCode = "job-request-malformed";

    /// <summary>Requests are a few dozen bytes; anything near this is not ours.</summary>
    public const int MaxRequestChars = 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    public string Kind => JobKind;

    /// <summary>The job id of <paramref name="round"/>'s <paramref name="generation"/>-th attempt (1: the round itself;
    /// higher after a failed one): the same on every replica that sees the same published set.</summary>
    public static string JobId(ResignRound round, int generation = 1)
    {
        ArgumentNullException.ThrowIfNull(round);
        var id = $"job-resign-t{round.TimestampVersion}";
        return generation <= 1 ? id : $"{id}-{generation}";
    }

    public static string Request(ResignRound round) => JsonSerializer.Serialize(round, Json);

    public static ResignRound ParseRequest(string request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Length > MaxRequestChars) throw Malformed($"{request.Length} characters, at most {MaxRequestChars}");
        try
        {
            var round = JsonSerializer.Deserialize<ResignRound>(request, Json) ?? throw Malformed("null");
            return round.TimestampVersion < 0 ? throw Malformed("negative timestamp version") : round;
        }
        catch (JsonException e)
        {
            throw Malformed(e.Message);
        }
    }

    public async Task<string> RunAsync(Job job, Func<string, Task> progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(progress);
        var round = ParseRequest(job.Request);
        await progress($"re-signing what is due at {round.DueAt:O} (from timestamp {round.TimestampVersion})").ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        try
        {
            return resigner.ResignDue(round.DueAt).Describe();
        }
        catch (MetadataVersionConflictException e)
        {
            throw new TransientJobException(e.Problems[0], e);
        }
    }

    private static ProblemException Malformed(string detail) =>
        new("job refused", new Problem(MalformedRequestCode, "$.request", $"not a re-signing round: {detail}"));
}
