using AtymSecure.Primitives;

namespace AtymSecure.OtaStore.Tests.Contract;

/// <summary>What every <see cref="IDdiStore"/> must do.</summary>
public abstract class DdiStoreContract(IStoreFixture fixture) : IDisposable
{
    private readonly StoreSet _stores = fixture.Open();

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    private static DdiTarget Target(string id) => new(id, "0a1b2c3d", new string('a', 64), EquatableMap<string>.Empty, true, 0, Samples.T0, "0a1b2c3d admin");

    private static DdiAction Action(string controller, string deployment = "dep-1") => new(0, controller, deployment, "rel-1", "thermostat", "1.0.0", 1,
        DdiActionState.Open, null, null, false, EquatableList<string>.Empty, 0, Samples.T0, Samples.T0);

    [Fact]
    public void A_target_is_added_once_updated_by_revision_and_survives_a_restart()
    {
        Assert.True(_stores.Ddi.TryAddTarget(Target("gw-1")));
        Assert.False(_stores.Ddi.TryAddTarget(Target("gw-1")));
        var stored = _stores.Ddi.FindTarget("gw-1")!;
        Assert.Equal(Target("gw-1") with { Revision = 1 }, stored);
        var changed = stored with { Attributes = new EquatableMap<string>([new("board", "rpi4")]), AttributesRequested = false, FeedbackSequence = 3 };
        Assert.Equal(changed with { Revision = 2 }, _stores.Ddi.TryUpdateTarget(changed, 1));
        Assert.Null(_stores.Ddi.TryUpdateTarget(changed, 1));
        Assert.Null(_stores.Ddi.FindTarget("gw-2"));
        Assert.Equal(changed with { Revision = 2 }, fixture.Reopen().Ddi.FindTarget("gw-1"));
    }

    [Fact]
    public void Action_ids_grow_from_one_and_each_target_lists_its_own_newest_first()
    {
        var first = _stores.Ddi.AddAction(Action("gw-1"));
        var second = _stores.Ddi.AddAction(Action("gw-2"));
        var third = _stores.Ddi.AddAction(Action("gw-1", "dep-2"));
        Assert.Equal([1L, 2L, 3L], new[] { first.Id, second.Id, third.Id });
        Assert.Equal([3L, 1L], _stores.Ddi.ActionsFor("gw-1", 10).Select(a => a.Id));
        Assert.Equal([3L], _stores.Ddi.ActionsFor("gw-1", 1).Select(a => a.Id));
        var closed = first.WithMessage("installed") with { State = DdiActionState.Closed, Outcome = DdiActionOutcome.Success };
        _stores.Ddi.UpdateAction(closed);
        var reopened = fixture.Reopen();
        Assert.Equal(closed, reopened.Ddi.FindAction(1));
        Assert.Null(reopened.Ddi.FindAction(0));
        Assert.Null(reopened.Ddi.FindAction(99));
        Assert.Equal(4, reopened.Ddi.AddAction(Action("gw-3")).Id);
    }

    [Fact]
    public void The_gateway_token_is_one_per_tenant_and_a_new_one_replaces_it()
    {
        Assert.Null(_stores.Ddi.FindGatewayToken("DEFAULT"));
        _stores.Ddi.SetGatewayToken(new DdiGatewayToken("DEFAULT", "00000001", new string('b', 64), Samples.T0, "admin"));
        _stores.Ddi.SetGatewayToken(new DdiGatewayToken("DEFAULT", "00000002", new string('c', 64), Samples.T0, "admin"));
        Assert.Equal("00000002", fixture.Reopen().Ddi.FindGatewayToken("DEFAULT")!.TokenId);
    }
}
