namespace AtymSecure.Runtime.Execution;

/// <summary>How one run of a container ended.</summary>
public enum OutcomeKind
{
    /// <summary>Ended by itself with <see cref="RunOutcome.ExitCode"/>.</summary>
    Exited,

    /// <summary>Stopped on request.</summary>
    Stopped,

    /// <summary>A Wasm trap (unreachable, out-of-bounds access, divide by zero, ...).</summary>
    Trapped,

    /// <summary>Used its CPU budget (fuel) for one scheduling slice.</summary>
    OutOfFuel,

    /// <summary>Ran past its slice deadline (epoch interruption).</summary>
    SliceDeadline,

    /// <summary>Needed more linear memory than its limit (at instantiation, or trapped at the limit).</summary>
    OutOfMemory,

    StackOverflow,

    /// <summary>Refused imports (not in the device API, or not granted).</summary>
    LinkFailed,

    /// <summary>The code could not be loaded or instantiated for another reason.</summary>
    LoadFailed,
}

/// <summary>One run's end: kind, exit code if any, a message for logs and status, how long it ran.</summary>
public sealed record RunOutcome(OutcomeKind Kind, int? ExitCode, string Message, TimeSpan Duration)
{
    /// <summary>Failures count toward restarts, crash loops and failed health trials.</summary>
    public bool IsFailure => Kind switch
    {
        OutcomeKind.Exited => ExitCode != 0,
        OutcomeKind.Stopped => false,
        _ => true,
    };

    /// <summary>Failures a restart cannot fix (the same code links the same way every time).</summary>
    public bool IsPermanent => Kind is OutcomeKind.LinkFailed or OutcomeKind.LoadFailed;

    /// <summary>
    /// This outcome of a run whose stop was requested, as the one who asked sees it: <see cref="OutcomeKind.Stopped"/>,
    /// whatever the run was doing when the stop reached it (asleep, inside a step, returning its exit code, trapping
    /// on the stop's unwind, or a container process whose pipe closed first). The requester knows it asked; what the
    /// run observed is kept in the message. A stop nobody asked for is never made from here.
    /// </summary>
    public RunOutcome AsRequestedStop() =>
        Kind == OutcomeKind.Stopped ? this : new(OutcomeKind.Stopped, null, $"stopped on request (the run had {this})", Duration);

    public override string ToString() => Kind == OutcomeKind.Exited ? $"exited with code {ExitCode}" : $"{Kind}: {Message}";
}
