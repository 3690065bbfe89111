namespace AtymSecure.OtaStore;

/// <summary>The DDI side of the store: targets (beside their device records), the gateway token, actions.</summary>
public interface IDdiStore
{
    /// <summary>Adds a target; false when the controller id exists.</summary>
    bool TryAddTarget(DdiTarget target);

    DdiTarget? FindTarget(string controllerId);

    /// <summary>Replaces the target when its stored revision is <paramref name="expectedRevision"/>; the stored one (revision + 1), or null.</summary>
    DdiTarget? TryUpdateTarget(DdiTarget target, long expectedRevision);

    void SetGatewayToken(DdiGatewayToken token);

    DdiGatewayToken? FindGatewayToken(string tenant);

    /// <summary>Adds <paramref name="action"/> under the next free id (the returned record): ids only grow.</summary>
    DdiAction AddAction(DdiAction action);

    DdiAction? FindAction(long id);

    void UpdateAction(DdiAction action);

    /// <summary>The target's actions, newest first, at most <paramref name="limit"/>.</summary>
    IReadOnlyList<DdiAction> ActionsFor(string controllerId, int limit);
}
