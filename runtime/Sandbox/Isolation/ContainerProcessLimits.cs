using System.Runtime.InteropServices;

namespace AtymSecure.Runtime.Isolation;

/// <summary>
/// What a container process does to itself first, on Linux (.NET cannot run code between fork and exec, so the child
/// applies them at start, before it reads any code):
/// <list type="bullet">
/// <item><c>prctl(PR_SET_PDEATHSIG, SIGKILL)</c>, then checks <c>getppid()</c> is still the agent (if the agent died
/// before the prctl the child was already re-parented and exits): a dead agent never leaves containers running.
/// Closing stdin (the agent's end of the pipe) also ends the child (<see cref="AgentChannel"/>).</item>
/// <item><c>RLIMIT_CORE = 0</c>: a crashing container writes no core dump (vendor memory on the device's disk, and
/// a way to fill it).</item>
/// <item><c>RLIMIT_NOFILE = 256</c>: the child needs its three pipes and the runtime's few descriptors; vendor code that
/// escaped the sandbox cannot open many files or sockets.</item>
/// <item><c>PR_SET_NO_NEW_PRIVS</c>: no setuid gain through exec.</item>
/// </list>
/// Not used: <c>RLIMIT_AS</c> — Wasmtime reserves 4 GiB + guard regions of address space per linear memory and the
/// .NET GC reserves far more than it commits, so an address-space limit refuses healthy containers while bounding
/// nothing real; memory is bounded by the store limit (the agent's reservation). <c>RLIMIT_CPU</c> — containers run
/// for months; the per-slice CPU budget (epoch/fuel) is the CPU limit.
/// </summary>
internal static partial class ContainerProcessLimits
{
    private const int PrSetPdeathsig = 1;
    private const int PrSetNoNewPrivs = 38;
    private const int SigKill = 9;
    private const int RlimitCore = 4;
    private const int RlimitNofile = 7;

    public const ulong MaxOpenFiles = 256;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    /// <summary>Applies the limits; returns why the process must not run (its agent is already gone), or null.</summary>
    public static string? Apply(int agentPid)
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (prctl(PrSetPdeathsig, SigKill, 0, 0, 0) != 0) return $"prctl(PR_SET_PDEATHSIG) failed: errno {Marshal.GetLastPInvokeError()}";
        if (getppid() != agentPid) return $"agent {agentPid} is gone (parent is now {getppid()})";
        _ = prctl(PrSetNoNewPrivs, 1, 0, 0, 0);
        var core = new RLimit { Current = 0, Max = 0 };
        _ = setrlimit(RlimitCore, ref core);
        var files = new RLimit { Current = MaxOpenFiles, Max = MaxOpenFiles };
        _ = setrlimit(RlimitNofile, ref files);
        return null;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc")]
    private static partial int getppid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, ref RLimit limit);
}
