using System.Text;
using Wasmtime;

namespace AtymSecure.Runtime.DeviceApi;

/// <summary>
/// The WASI preview1 subset (https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md) that
/// wasi-libc programs need, with no file system: fds 0-2 only, stdout/stderr become log lines.
/// </summary>
internal static class WasiFunctions
{
    private const string M = Formats.Container.DeviceApi.WasiModule;
    private const int Success = 0;
    private const int Ebadf = 8;
    private const int Einval = 28;
    private const int Enotsup = 58;
    private const int Espipe = 70;
    private const byte FiletypeCharacterDevice = 2;
    private const int MaxIovecs = 1024;

    public static IReadOnlyDictionary<string, Action<Linker, ContainerContext>> Definitions { get; } =
        new Dictionary<string, Action<Linker, ContainerContext>>(StringComparer.Ordinal)
        {
            ["fd_write"] = (l, c) => l.DefineFunction(M, "fd_write", (Caller caller, int fd, int iovs, int count, int nwritten) =>
            {
                if (fd is not (1 or 2)) return Ebadf;
                if ((uint)count > MaxIovecs) return Einval;
                var memory = GuestMemory.Of(caller);
                uint total = 0;
                for (var i = 0; i < count; i++)
                {
                    var buf = (int)memory.ReadU32(iovs + (i * 8));
                    var len = (int)memory.ReadU32(iovs + (i * 8) + 4);
                    c.WriteStream(fd, memory.Span(buf, len));
                    total += (uint)len;
                }
                memory.WriteU32(nwritten, total);
                return Success;
            }),
            ["fd_read"] = (l, c) => l.DefineFunction(M, "fd_read", (Caller caller, int fd, int iovs, int count, int nread) =>
            {
                if (fd != 0) return Ebadf;
                GuestMemory.Of(caller).WriteU32(nread, 0);
                return Success;
            }),
            ["fd_close"] = (l, c) => l.DefineFunction(M, "fd_close", (int fd) => fd is >= 0 and <= 2 ? Success : Ebadf),
            ["fd_seek"] = (l, c) => l.DefineFunction(M, "fd_seek", (int fd, long offset, int whence, int newOffset) => fd is >= 0 and <= 2 ? Espipe : Ebadf),
            ["fd_fdstat_get"] = (l, c) => l.DefineFunction(M, "fd_fdstat_get", (Caller caller, int fd, int statPtr) =>
            {
                if (fd is < 0 or > 2) return Ebadf;
                var stat = GuestMemory.Of(caller).Span(statPtr, 24);
                stat.Clear();
                stat[0] = FiletypeCharacterDevice;
                // rights_base: fd_read (bit 1) for stdin, fd_write (bit 6) for stdout/stderr.
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(stat[8..], fd == 0 ? 1UL << 1 : 1UL << 6);
                return Success;
            }),
            ["fd_prestat_get"] = (l, c) => l.DefineFunction(M, "fd_prestat_get", (int fd, int ptr) => Ebadf),
            ["fd_prestat_dir_name"] = (l, c) => l.DefineFunction(M, "fd_prestat_dir_name", (int fd, int ptr, int len) => Ebadf),
            ["clock_time_get"] = (l, c) => l.DefineFunction(M, "clock_time_get", (Caller caller, int id, long precision, int outPtr) =>
            {
                if (!TryClockNanos(c, id, out var nanos)) return Einval;
                GuestMemory.Of(caller).WriteU64(outPtr, nanos);
                return Success;
            }),
            ["clock_res_get"] = (l, c) => l.DefineFunction(M, "clock_res_get", (Caller caller, int id, int outPtr) =>
            {
                if (id is < 0 or > 3) return Einval;
                GuestMemory.Of(caller).WriteU64(outPtr, 1000);
                return Success;
            }),
            ["random_get"] = (l, c) => l.DefineFunction(M, "random_get", (Caller caller, int buf, int len) =>
            {
                c.Calls.Random(GuestMemory.Of(caller).Span(buf, len));
                return Success;
            }),
            ["args_sizes_get"] = (l, c) => l.DefineFunction(M, "args_sizes_get", (Caller caller, int countPtr, int sizePtr) =>
                SizesGet(GuestMemory.Of(caller), Args(c), countPtr, sizePtr)),
            ["args_get"] = (l, c) => l.DefineFunction(M, "args_get", (Caller caller, int argv, int argvBuf) =>
                StringsGet(GuestMemory.Of(caller), Args(c), argv, argvBuf)),
            ["environ_sizes_get"] = (l, c) => l.DefineFunction(M, "environ_sizes_get", (Caller caller, int countPtr, int sizePtr) =>
                SizesGet(GuestMemory.Of(caller), Environ(c), countPtr, sizePtr)),
            ["environ_get"] = (l, c) => l.DefineFunction(M, "environ_get", (Caller caller, int environ, int environBuf) =>
                StringsGet(GuestMemory.Of(caller), Environ(c), environ, environBuf)),
            ["proc_exit"] = (l, c) => l.DefineFunction(M, "proc_exit", (int code) =>
            {
                c.ExitCode = code;
                throw new GuestUnwindException($"proc_exit({code})");
            }),
            ["sched_yield"] = (l, c) => l.DefineFunction(M, "sched_yield", () =>
            {
                AtymFunctions.Sleep(c, TimeSpan.Zero);
                return Success;
            }),
            ["poll_oneoff"] = (l, c) => l.DefineFunction(M, "poll_oneoff", (Caller caller, int input, int output, int count, int neventsPtr) =>
                PollClocks(GuestMemory.Of(caller), c, input, output, count, neventsPtr)),
        };

    private static bool TryClockNanos(ContainerContext c, int id, out ulong nanos)
    {
        var now = c.Calls.Uptime;
        nanos = id switch
        {
            0 => (ulong)(c.Calls.RealtimeOrigin - DateTimeOffset.UnixEpoch + now).Ticks * 100UL,
            1 or 2 or 3 => (ulong)now.Ticks * 100UL,
            _ => 0,
        };
        return id is >= 0 and <= 3;
    }

    private static string[] Args(ContainerContext c) => [c.Name];

    private static string[] Environ(ContainerContext c) =>
        [.. c.Variables.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}")];

    private static int SizesGet(GuestMemory memory, string[] strings, int countPtr, int sizePtr)
    {
        memory.WriteU32(countPtr, (uint)strings.Length);
        memory.WriteU32(sizePtr, (uint)strings.Sum(s => Encoding.UTF8.GetByteCount(s) + 1));
        return Success;
    }

    private static int StringsGet(GuestMemory memory, string[] strings, int pointers, int buffer)
    {
        var offset = buffer;
        for (var i = 0; i < strings.Length; i++)
        {
            memory.WriteU32(pointers + (i * 4), (uint)offset);
            var bytes = Encoding.UTF8.GetBytes(strings[i]);
            bytes.CopyTo(memory.Span(offset, bytes.Length));
            memory.Span(offset + bytes.Length, 1)[0] = 0;
            offset += bytes.Length + 1;
        }
        return Success;
    }

    /// <summary>
    /// poll_oneoff with clock subscriptions only (what sleep()/nanosleep() use): waits until the earliest
    /// deadline, then reports every clock subscription as fired. Subscription layout: 48 bytes
    /// (userdata u64, tag u8, clock id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40).
    /// </summary>
    private static int PollClocks(GuestMemory memory, ContainerContext c, int input, int output, int count, int neventsPtr)
    {
        if (count is <= 0 or > 64) return Einval;
        var wait = TimeSpan.MaxValue;
        for (var i = 0; i < count; i++)
        {
            var sub = input + (i * 48);
            if (memory.Span(sub + 8, 1)[0] != 0) return Enotsup;
            var timeoutNs = memory.ReadU64(sub + 24);
            var absolute = (memory.Span(sub + 40, 2)[0] & 1) != 0;
            var delay = TimeSpan.FromTicks((long)Math.Min(timeoutNs / 100, (ulong)TimeSpan.FromDays(1).Ticks));
            if (absolute && TryClockNanos(c, (int)memory.ReadU32(sub + 16), out var nowNs))
                delay = timeoutNs > nowNs ? TimeSpan.FromTicks((long)Math.Min((timeoutNs - nowNs) / 100, (ulong)TimeSpan.FromDays(1).Ticks)) : TimeSpan.Zero;
            if (delay < wait) wait = delay;
        }
        AtymFunctions.Sleep(c, wait);
        for (var i = 0; i < count; i++)
        {
            var ev = memory.Span(output + (i * 32), 32);
            ev.Clear();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(ev, memory.ReadU64(input + (i * 48)));
        }
        memory.WriteU32(neventsPtr, (uint)count);
        return Success;
    }
}
