namespace AtymSecure.OtaStore.Tests.Contract;

/// <summary>What every <see cref="IDeviceReportStore"/> and <see cref="IAuditLog"/> must do.</summary>
public abstract class ReportAndAuditContract(IStoreFixture fixture) : IDisposable
{
    private readonly StoreSet _stores = fixture.Open();

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Reports_get_increasing_sequences_per_device_and_a_reused_nonce_is_refused()
    {
        Assert.Equal(1, _stores.Reports.TryAppend(Samples.Report("atym-a", "nonce-aaaaaaaaaaaaaaa1"))!.Sequence);
        Assert.Equal(2, _stores.Reports.TryAppend(Samples.Report("atym-a", "nonce-aaaaaaaaaaaaaaa2"))!.Sequence);
        Assert.Equal(1, _stores.Reports.TryAppend(Samples.Report("atym-b", "nonce-aaaaaaaaaaaaaaa1"))!.Sequence);
        Assert.Null(_stores.Reports.TryAppend(Samples.Report("atym-a", "nonce-aaaaaaaaaaaaaaa1")));
        Assert.Equal("nonce-aaaaaaaaaaaaaaa2", _stores.Reports.Latest("atym-a")!.Nonce);
        Assert.Equal([2L, 1L], _stores.Reports.Recent("atym-a", 10).Select(r => r.Sequence));
        Assert.Null(_stores.Reports.Latest("atym-none"));
    }

    [Fact]
    public void A_nonce_stays_used_after_a_restart()
    {
        _stores.Reports.TryAppend(Samples.Report("atym-c", "nonce-ccccccccccccccc1"));
        var reopened = fixture.Reopen();
        Assert.Null(reopened.Reports.TryAppend(Samples.Report("atym-c", "nonce-ccccccccccccccc1")));
        Assert.Equal(2, reopened.Reports.TryAppend(Samples.Report("atym-c", "nonce-ccccccccccccccc2"))!.Sequence);
    }

    [Fact]
    public void The_audit_log_numbers_entries_in_order_and_pages_through_them()
    {
        for (var i = 1; i <= 5; i++) Assert.Equal(i, _stores.Audit.Append(Samples.Audit($"action-{i}")).Sequence);
        var first = _stores.Audit.Page(0, 2);
        Assert.Equal(["action-1", "action-2"], first.Entries.Select(e => e.Action));
        Assert.Equal(2, first.Next);
        var last = _stores.Audit.Page(4, 2);
        Assert.Equal(["action-5"], last.Entries.Select(e => e.Action));
        Assert.Null(last.Next);
        Assert.Equal(Samples.Audit("action-3") with { Sequence = 3 }, fixture.Reopen().Audit.Page(2, 1).Entries.Single());
    }

    [Fact]
    public void Concurrent_appends_get_distinct_sequences()
    {
        Parallel.For(0, 50, i => _stores.Audit.Append(Samples.Audit($"parallel-{i}")));
        var all = _stores.Audit.Page(0, 1000).Entries;
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), all.Select(e => e.Sequence));
    }
}
