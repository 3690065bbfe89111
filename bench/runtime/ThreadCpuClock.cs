using System.Runtime.InteropServices;

namespace AtymSecure.Bench.Runtime;

/// <summary>
/// CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), the same clock the C harness uses.
/// Wasmtime runs guest code on the calling thread, so this excludes time the thread spent descheduled on the shared machine.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static double Seconds()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out var ts) != 0)
            throw new InvalidOperationException($"clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed (errno {Marshal.GetLastPInvokeError()})");
        return ts.Seconds + ts.Nanoseconds / 1e9;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clockId, out Timespec ts);
}
