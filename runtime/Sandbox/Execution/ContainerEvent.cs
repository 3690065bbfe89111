namespace AtymSecure.Runtime.Execution;

/// <summary>A state change of one container, with the outcome that caused it (if a run ended).</summary>
public sealed record ContainerEvent(string Container, string Version, ContainerRunState State, RunOutcome? Outcome, bool CrashLoop, string Message, TimeSpan At)
{
    public override string ToString() => $"{Container}@{Version} {State}{(CrashLoop ? " (crash loop)" : "")}: {Message}";
}
