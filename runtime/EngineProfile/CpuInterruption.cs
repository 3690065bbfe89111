namespace AtymSecure.Engines;

/// <summary>
/// How an engine lets the runtime take the CPU back from a container. Baked into compiled code, so an
/// artifact only loads into an engine with the same choice.
/// </summary>
public enum CpuInterruption
{
    /// <summary>Fuel metering: deterministic CPU budget per scheduling slice (costs some speed).</summary>
    Fuel,

    /// <summary>Epoch deadlines: cheaper checks; at each deadline the slice's thread CPU time decides (Execution/SliceCpuBudget).</summary>
    Epoch,

    /// <summary>Neither: only for measuring what interruption costs (the bench). The runtime refuses it.</summary>
    None,
}
