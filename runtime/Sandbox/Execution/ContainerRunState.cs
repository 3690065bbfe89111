namespace AtymSecure.Runtime.Execution;

/// <summary>Lifecycle states, as in Ocre: created → running ⇄ paused → exited | stopped | error.</summary>
public enum ContainerRunState
{
    /// <summary>Known to the runtime, not started yet (or waiting out a restart backoff).</summary>
    Created,
    Running,
    Paused,

    /// <summary>Ended by itself (returned from <c>_start</c>, proc_exit, or a step returned non-zero).</summary>
    Exited,

    /// <summary>Ended because the runtime was asked to stop it.</summary>
    Stopped,

    /// <summary>Failed (trap, CPU/memory limit, link error) and not restarted (any more).</summary>
    Error,
}
