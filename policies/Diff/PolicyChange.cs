namespace AtymSecure.Policies.Diff;

public enum PolicyArea
{
    Trust,
    Deployment,
    Permission,
    Device,
}

/// <summary>Whether a change lets more through (a reviewer must look) or less.</summary>
public enum ChangeEffect
{
    Widens,
    Narrows,
}

/// <summary>One effective change between two policy sets, in words a reviewer can act on.</summary>
public sealed record PolicyChange(PolicyArea Area, ChangeEffect Effect, string Text)
{
    public override string ToString() => $"{(Effect == ChangeEffect.Widens ? "widens" : "narrows")}: {Text}";
}
