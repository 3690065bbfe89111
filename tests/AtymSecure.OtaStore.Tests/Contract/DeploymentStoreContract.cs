using AtymSecure.Primitives;

namespace AtymSecure.OtaStore.Tests.Contract;

/// <summary>One implementation of <see cref="IDeploymentStore"/> with the audit log it writes into: fresh per <see cref="Open"/>, the same data after <see cref="Reopen"/>.</summary>
public interface IDeploymentStoreFixture : IDisposable
{
    (IDeploymentStore Deployments, IAuditLog Audit) Open();

    (IDeploymentStore Deployments, IAuditLog Audit) Reopen();
}

/// <summary>What every <see cref="IDeploymentStore"/> must do: optimistic revisions, state and audit written together, everything back after a restart.</summary>
public abstract class DeploymentStoreContract(IDeploymentStoreFixture fixture) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly (IDeploymentStore Deployments, IAuditLog Audit) _stores = fixture.Open();

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    internal static DeploymentState Sample(string id, int minute) => new(
        new DeploymentSpec(id, "rel-2000000000000000", "sensor-filter", "2.0.0",
            new TargetSet(["eu"], new([KeyValuePair.Create("ring", "beta")]), "linux-x86_64", ["atym-x"]), TargetingMode.Continuous,
            new RolloutPlan(2, [new WaveStep(null, 10), new WaveStep(5, null)], TimeSpan.FromSeconds(30)), new HaltRule(1, 0.2, 5), TimeSpan.FromMinutes(10),
            new RetryPolicy(2, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)), true, false, true, [new IntermediateRelease("rel-1500000000000000", "1.5.0")], 3,
            T0, T0.AddDays(1), "Europe/Berlin",
            [new MaintenanceWindow("eu", [DayOfWeek.Monday, DayOfWeek.Saturday], new TimeOnly(2, 0), TimeSpan.FromHours(2), "Europe/Berlin")],
            T0.AddMinutes(minute), "tok1 ops"),
        DeploymentStatus.Halted, 0, 3, T0.AddSeconds(30), "tok2 bob",
        new HaltReport(T0, 0, "1 failed in canary (halt at 1)", new([KeyValuePair.Create("trial-failed", 1)]),
            [new FailedDevice("atym-a", FailureKind.TrialFailed, "health probe failed")]),
        [new DeviceRollout("atym-a", 0, DeviceRolloutState.Failed, ["eu"], "1.0.0", "rel-2000000000000000", T0, 1, null, FailureKind.TrialFailed, "probe", 7, "installed||", "reverted|2.0.0|probe", null),
         new DeviceRollout("atym-b", 1, DeviceRolloutState.Pending, ["eu"])],
        [new TimelineEvent(T0, "created", "sensor-filter 2.0.0 to 2 devices")]);

    private static AuditEntry Audit(string action) => new(0, T0, "rollout-engine", "rollout engine", action, "deployment/dep-1", null, "{\"detail\":\"x\"}");

    [Fact]
    public void A_new_deployment_is_stored_with_its_audit_entries_and_read_back_equal_after_a_restart()
    {
        var state = Sample("dep-0000000000000001", 0);
        var stored = _stores.Deployments.TrySave(state, 0, [Audit("rollout.created"), Audit("rollout.started")]);
        Assert.Equal(state with { Revision = 1 }, stored);
        var reopened = fixture.Reopen();
        Assert.Equal(stored, reopened.Deployments.Find(state.Id));
        Assert.Equal(["rollout.created", "rollout.started"], reopened.Audit.Page(0, 10).Entries.Select(e => e.Action));
        Assert.Null(reopened.Deployments.Find("dep-none"));
    }

    [Fact]
    public void The_version_moves_with_every_save_and_not_with_a_refused_one_and_revisions_name_what_changed()
    {
        var before = _stores.Deployments.Version;
        var a = _stores.Deployments.TrySave(Sample("dep-0000000000000001", 0), 0, [])!;
        var b = _stores.Deployments.TrySave(Sample("dep-0000000000000002", 1), 0, [])!;
        var afterTwo = _stores.Deployments.Version;
        Assert.True(afterTwo > before);
        Assert.Null(_stores.Deployments.TrySave(a, 0, [])); // refused: the version stays
        Assert.Equal(afterTwo, _stores.Deployments.Version);
        _stores.Deployments.TrySave(b with { Status = DeploymentStatus.Cancelled }, 1, []);
        Assert.True(_stores.Deployments.Version > afterTwo);
        Assert.Equal([new DeploymentRevision(a.Id, 1), new DeploymentRevision(b.Id, 2)], _stores.Deployments.Revisions());
        Assert.Equal([new DeploymentRevision(a.Id, 1), new DeploymentRevision(b.Id, 2)], fixture.Reopen().Deployments.Revisions());
    }

    [Fact]
    public void A_save_against_a_stale_revision_changes_nothing_and_appends_no_audit()
    {
        var first = _stores.Deployments.TrySave(Sample("dep-0000000000000001", 0), 0, [Audit("rollout.created")])!;
        Assert.Null(_stores.Deployments.TrySave(first, 0, [Audit("rollout.created")])); // exists already
        var second = _stores.Deployments.TrySave(first with { Status = DeploymentStatus.Cancelled }, 1, [Audit("rollout.cancelled")])!;
        Assert.Equal(2, second.Revision);
        Assert.Null(_stores.Deployments.TrySave(first with { Status = DeploymentStatus.Paused }, 1, [Audit("rollout.paused")]));
        Assert.Equal(DeploymentStatus.Cancelled, _stores.Deployments.Find(first.Id)!.Status);
        Assert.Equal(["rollout.created", "rollout.cancelled"], _stores.Audit.Page(0, 10).Entries.Select(e => e.Action));
    }

    [Fact]
    public void Deployments_list_oldest_first()
    {
        _stores.Deployments.TrySave(Sample("dep-b", 5), 0, []);
        _stores.Deployments.TrySave(Sample("dep-a", 1), 0, []);
        Assert.Equal(["dep-a", "dep-b"], fixture.Reopen().Deployments.List().Select(d => d.Id));
    }
}
