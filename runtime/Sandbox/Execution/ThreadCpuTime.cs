using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AtymSecure.Runtime.Execution;

/// <summary>
/// CPU time consumed by the calling thread (Linux: <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>). Elsewhere it
/// falls back to wall-clock time, which is what epoch ticks measure anyway.
/// </summary>
public static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Whether <see cref="Current"/> measures thread CPU time here (not the wall-clock fallback).</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out _) == 0;

    public static TimeSpan Current()
    {
        if (IsAvailable && ClockGetTime(ClockThreadCpuTimeId, out var t) == 0)
            return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
        return Stopwatch.GetElapsedTime(0);
    }
}
