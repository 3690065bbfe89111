using Wasmtime;

namespace AtymSecure.Runtime.Execution;

/// <summary>
/// The CPU budget of one scheduling slice on an epoch engine. Epoch ticks count wall-clock time, so on a busy
/// host a container that was merely descheduled would hit its deadline without having used its budget. At
/// each deadline this checks the thread's real CPU time for the slice: below the budget, the deadline moves
/// on by what is left; at or above it, execution ends with <see cref="SliceBudgetExceededException"/>.
/// Runs on the container's own thread (Wasmtime calls the deadline callback there).
/// </summary>
internal sealed class SliceCpuBudget(TimeSpan budget, RuntimeOptions options)
{
    private TimeSpan _sliceStart = ThreadCpuTime.Current();

    public TimeSpan Budget { get; } = budget;

    /// <summary>A new slice starts (call on the container thread).</summary>
    public void Restart() => _sliceStart = ThreadCpuTime.Current();

    public TimeSpan Used => ThreadCpuTime.Current() - _sliceStart;

    /// <summary>The store's epoch deadline callback: ticks to run on, or throw when the budget is spent.</summary>
    public ulong OnDeadline(Store store)
    {
        var used = Used;
        if (used >= Budget) throw new SliceBudgetExceededException(Budget, used);
        return options.EpochTicksFor(Budget - used);
    }
}

/// <summary>A slice used its whole CPU budget (thread CPU time, not wall time).</summary>
public sealed class SliceBudgetExceededException : Exception
{
    public SliceBudgetExceededException() { }

    public SliceBudgetExceededException(string message) : base(message) { }

    public SliceBudgetExceededException(string message, Exception inner) : base(message, inner) { }

    internal SliceBudgetExceededException(TimeSpan budget, TimeSpan used)
        : base($"used {used.TotalMilliseconds:F1} ms of CPU in one slice, budget {budget.TotalMilliseconds:F0} ms") { }
}
