using System.Globalization;

namespace AtymSecure.OtaStore.LiteDb;

/// <summary><see cref="IDdiStore"/> over <see cref="OtaDatabase"/> (collections <c>ddi_targets</c>, <c>ddi_gateway_tokens</c>,
/// <c>ddi_actions</c>; actions keyed by their id as 19-digit text so the key orders like the number, indexed by controller).</summary>
public sealed class LiteDbDdiStore : IDdiStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<DdiTarget> _targets;
    private readonly JsonCollection<DdiGatewayToken> _gateways;
    private readonly JsonCollection<DdiAction> _actions;

    public LiteDbDdiStore(OtaDatabase database)
    {
        _database = database;
        _targets = new JsonCollection<DdiTarget>(database, "ddi_targets", t => t.ControllerId);
        _gateways = new JsonCollection<DdiGatewayToken>(database, "ddi_gateway_tokens", g => g.Tenant);
        _actions = new JsonCollection<DdiAction>(database, "ddi_actions", a => Key(a.Id), a => [("controller", a.ControllerId), ("number", a.Id)], "controller");
    }

    public bool TryAddTarget(DdiTarget target) => _database.Write(() => _targets.Insert(target with { Revision = 1 }));

    public DdiTarget? FindTarget(string controllerId) => _targets.Find(controllerId);

    public DdiTarget? TryUpdateTarget(DdiTarget target, long expectedRevision) => _database.Write(() =>
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_targets.Find(target.ControllerId) is not { } stored || stored.Revision != expectedRevision) return null;
        var updated = target with { Revision = expectedRevision + 1 };
        _targets.Upsert(updated);
        return updated;
    });

    public void SetGatewayToken(DdiGatewayToken token) => _database.Write(() =>
    {
        _gateways.Upsert(token);
        return true;
    });

    public DdiGatewayToken? FindGatewayToken(string tenant) => _gateways.Find(tenant);

    public DdiAction AddAction(DdiAction action) => _database.Write(() =>
    {
        ArgumentNullException.ThrowIfNull(action);
        var last = _actions.Query(null, [], "number", 1, descending: true).FirstOrDefault();
        var added = action with { Id = (last?.Id ?? 0) + 1 };
        _actions.Insert(added);
        return added;
    });

    public DdiAction? FindAction(long id) => id <= 0 ? null : _actions.Find(Key(id));

    public void UpdateAction(DdiAction action) => _database.Write(() =>
    {
        ArgumentNullException.ThrowIfNull(action);
        _actions.Upsert(action);
        return true;
    });

    public IReadOnlyList<DdiAction> ActionsFor(string controllerId, int limit) =>
        [.. _actions.Query("$.controller = @0", [controllerId], "number", limit, descending: true)];

    private static string Key(long id) => id.ToString("D19", CultureInfo.InvariantCulture);
}
