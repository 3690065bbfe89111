using AtymSecure.OtaStore.Postgres;
using AtymSecure.OtaStore.Tests.Contract;

namespace AtymSecure.OtaStore.Tests.Postgres;

/// <summary>
/// Two servers (two <see cref="PostgresDatabase"/> pools on one database) writing the same record at once: the outcome
/// the contract expects from one LiteDB process — of two writers from one revision exactly one wins — holds across them.
/// </summary>
[Trait("Requires", "postgres")]
public sealed class PostgresConcurrencyTests : IDisposable
{
    private const int Rounds = 20;
    private readonly PostgresDatabaseFixture _fixture = new();
    private readonly PostgresDatabase _first;
    private readonly PostgresDatabase _second;

    public PostgresConcurrencyTests()
    {
        _first = _fixture.OpenDatabase();
        _second = new PostgresDatabase(_fixture.ConnectionString);
    }

    public void Dispose()
    {
        _second.Dispose();
        _fixture.Dispose();
    }

    [Fact]
    public void Two_updates_of_a_device_from_one_revision_on_two_servers_have_exactly_one_winner()
    {
        var stores = new[] { new PostgresDeviceStore(_first), new PostgresDeviceStore(_second) };
        stores[0].TryAdd(Samples.Device("atym-1"));
        for (var round = 0; round < Rounds; round++)
        {
            var stored = stores[0].Find("atym-1")!;
            var results = Race(i => stores[i].TryUpdate(stored with { Epoch = 100 + i }, stored.Revision));
            var winner = Assert.Single(results, r => r is not null)!;
            Assert.Equal(stored.Revision + 1, winner.Revision);
            Assert.Equal(winner, stores[1].Find("atym-1"));
        }
    }

    [Fact]
    public void Two_saves_of_a_deployment_from_one_revision_have_one_winner_and_only_its_audit()
    {
        var deployments = new[] { new PostgresDeploymentStore(_first), new PostgresDeploymentStore(_second) };
        var audit = new PostgresAuditLog(_first);
        var expected = 0L;
        for (var round = 0; round < Rounds; round++)
        {
            var state = DeploymentStoreContract.Sample("dep-1", 0);
            var results = Race(i => deployments[i].TrySave(state, expected,
                [new AuditEntry(0, state.Spec.CreatedAt, "engine", "engine " + i, $"round-{round}-writer-{i}", "deployment/dep-1", null, null)]));
            var winner = Array.FindIndex(results, r => r is not null);
            Assert.Single(results, r => r is not null);
            expected = results[winner]!.Revision;
            Assert.Equal(round + 1, expected);
        }
        var entries = audit.Page(0, 1000).Entries;
        Assert.Equal(Rounds, entries.Count);
        Assert.Equal(Enumerable.Range(1, Rounds).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(0, Rounds).Select(i => $"round-{i}-"), entries.Select(e => e.Action[..(e.Action.IndexOf("writer", StringComparison.Ordinal))]));
    }

    [Fact]
    public void Audit_appends_from_two_servers_get_distinct_gap_free_sequences()
    {
        var logs = new[] { new PostgresAuditLog(_first), new PostgresAuditLog(_second) };
        for (var round = 0; round < Rounds; round++) Race(i => logs[i].Append(Samples.Audit($"append-{round}-{i}")));
        Assert.Equal(Enumerable.Range(1, 2 * Rounds).Select(i => (long)i), logs[1].Page(0, 1000).Entries.Select(e => e.Sequence));
    }

    /// <summary>Runs <paramref name="write"/> for writers 0 and 1 released together by a barrier; their results.</summary>
    private static T[] Race<T>(Func<int, T> write)
    {
        using var start = new Barrier(2);
        var writers = Enumerable.Range(0, 2).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            return write(i);
        })).ToArray();
        return Task.WhenAll(writers).GetAwaiter().GetResult();
    }
}
