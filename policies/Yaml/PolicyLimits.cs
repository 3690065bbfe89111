namespace AtymSecure.Policies.Yaml;

/// <summary>
/// Bounds on untrusted policy input, checked before anything else reads it: a pull request can carry any bytes.
/// Generous for hand-written policy (the repository's own set is a few KiB), small enough that a hostile file costs
/// nothing to refuse.
/// </summary>
public static class PolicyLimits
{
    public const int MaxFileBytes = 256 * 1024;
    public const int MaxDepth = 16;
    public const int MaxNodes = 20_000;
    public const int MaxFiles = 256;
    public const long MaxSetBytes = 4L * 1024 * 1024;
    public const int MaxListItems = 1024;
    public const int MaxStringLength = 1024;
}
