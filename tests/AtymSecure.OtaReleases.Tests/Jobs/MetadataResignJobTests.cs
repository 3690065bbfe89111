using AtymSecure.OtaMetadata.Resigning;
using AtymSecure.OtaReleases.Jobs;
using AtymSecure.OtaStore;
using AtymSecure.OtaStore.LiteDb;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.OtaReleases.Tests.Jobs;

/// <summary>
/// The re-signing round as a job: its request (written by this server, read back from the store) round-trips and
/// anything else is refused with one code; a round is enqueued once per id, again under the next generation only after
/// its job failed.
/// </summary>
public sealed class MetadataResignJobTests : IDisposable
{
    private static readonly DateTimeOffset Due = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = TempFolder.Create("resign-job");
    private readonly OtaDatabase _database;
    private readonly LiteDbJobStore _store;

    public MetadataResignJobTests()
    {
        _database = new OtaDatabase(_folder.Path);
        _store = new LiteDbJobStore(_database);
    }

    public void Dispose()
    {
        _database.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void A_round_request_round_trips_and_names_its_job()
    {
        var round = new ResignRound(41, Due);
        Assert.Equal(round, MetadataResignJob.ParseRequest(MetadataResignJob.Request(round)));
        Assert.Equal("job-resign-t41", MetadataResignJob.JobId(round));
        Assert.Equal("job-resign-t41-3", MetadataResignJob.JobId(round, 3));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"timestampVersion\":\"1\",\"dueAt\":\"2026-12-04T12:00:00+00:00\"}")]
    [InlineData("{\"timestampVersion\":-1,\"dueAt\":\"2026-12-04T12:00:00+00:00\"}")]
    [InlineData("{\"timestampVersion\":1,\"dueAt\":\"yesterday\"}")]
    [InlineData("{\"timestampVersion\":1,\"dueAt\":\"2026-12-04T12:00:00+00:00\",\"extra\":1}")]
    [InlineData("{\"timestampVersion\":1e3,\"dueAt\":\"2026-12-04T12:00:00+00:00\"}")]
    public void A_request_that_is_not_a_round_is_refused_with_its_code(string request)
    {
        var refused = Assert.ThrowsAny<ProblemException>(() => MetadataResignJob.ParseRequest(request));
        Assert.Equal(MetadataResignJob.MalformedRequestCode, refused.Problems[0].Code);
    }

    [Fact]
    public void A_request_over_the_size_cap_is_refused_before_it_is_parsed()
    {
        var refused = Assert.ThrowsAny<ProblemException>(() => MetadataResignJob.ParseRequest(new string(' ', MetadataResignJob.MaxRequestChars + 1)));
        Assert.Contains("at most", refused.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_text_either_parses_as_a_round_or_is_refused_with_the_code() =>
        Gen.OneOf(
                Gen.String,
                Gen.Select(Gen.Long, Gen.Long[0, DateTimeOffset.MaxValue.UtcTicks], (v, t) => MetadataResignJob.Request(new ResignRound(v, new DateTimeOffset(t, TimeSpan.Zero)))),
                Gen.Select(Gen.Long[0, long.MaxValue], Gen.String[Gen.Char.AlphaNumeric, 0, 12], (v, s) => $"{{\"timestampVersion\":{v},\"dueAt\":\"{s}\"}}"))
            .Sample(text =>
            {
                try
                {
                    var round = MetadataResignJob.ParseRequest(text);
                    return round.TimestampVersion >= 0 && MetadataResignJob.ParseRequest(MetadataResignJob.Request(round)) == round;
                }
                catch (ProblemException e)
                {
                    return e.Problems[0].Code == MetadataResignJob.MalformedRequestCode;
                }
            }, iter: 2000);

    [Fact]
    public async Task A_round_is_enqueued_once_and_again_under_the_next_generation_only_after_its_job_failed()
    {
        var clock = new FakeTimeProvider(Due);
        using var queue = new JobQueue(_store, [new MetadataResignJob(null!)], clock); // not started: the test plays the worker
        var rounds = new JobResignRounds(queue);
        var round = new ResignRound(7, Due);

        Assert.False(await rounds.RunAsync(round, CancellationToken.None)); // handed off
        Assert.False(await rounds.RunAsync(round, CancellationToken.None)); // a peer's look at the same set: the same job
        Assert.Equal(["job-resign-t7"], (await _store.ListUnfinishedAsync()).Select(j => j.Id));

        var first = (await _store.GetAsync("job-resign-t7"))!;
        await _store.UpdateAsync(first with { State = JobState.Failed, Error = new JobError("internal-error", "disk full", false) });
        Assert.False(await rounds.RunAsync(round, CancellationToken.None));
        Assert.Equal(["job-resign-t7-2"], (await _store.ListUnfinishedAsync()).Select(j => j.Id));

        var second = (await _store.GetAsync("job-resign-t7-2"))!;
        await _store.UpdateAsync(second with { State = JobState.Succeeded, ResultId = "timestamp" });
        Assert.False(await rounds.RunAsync(round, CancellationToken.None)); // done: not queued again
        Assert.Empty(await _store.ListUnfinishedAsync());
        Assert.Null(await _store.GetAsync("job-resign-t7-3"));
    }
}
