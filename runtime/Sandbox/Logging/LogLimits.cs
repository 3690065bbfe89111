namespace AtymSecure.Runtime.Logging;

/// <summary>
/// How much one container may log (device API <c>log</c>, WASI stdout and stderr together): a token bucket of
/// <see cref="LinesPerSecond"/> with room for <see cref="Burst"/> lines, lines cut at <see cref="MaxLineBytes"/>,
/// and the count of dropped lines reported at most once per <see cref="DropReportInterval"/>.
/// </summary>
public sealed record LogLimits
{
    /// <summary>The device default when a container's config sets no rate.</summary>
    public static LogLimits Default { get; } = new();

    public int LinesPerSecond { get; init; } = 100;

    public int Burst { get; init; } = 200;

    /// <summary>Longest line kept (UTF-8 bytes); the rest is cut and replaced by a marker naming how much was cut.</summary>
    public int MaxLineBytes { get; init; } = 1024;

    public TimeSpan DropReportInterval { get; init; } = TimeSpan.FromSeconds(10);
}
