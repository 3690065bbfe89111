using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace AtymSecure.TestSupport;

/// <summary>
/// Records attribute changes (chmod, chown: inotify's IN_ATTRIB) of the files in one directory, so a test can
/// prove a file was never re-moded after creation — e.g. a key first written world-readable, then chmod 0600.
/// The kernel queues each event during the system call that caused it, so <see cref="Drain"/> right after the
/// code under test sees every change, without waiting. Linux only (inotify(7)).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class FileAttributeChanges : IDisposable
{
    private const int InAttrib = 0x4;
    private const int InNonBlock = 0x800;
    private const int InCloExec = 0x80000;
    private const int EventHeaderBytes = 16; // int wd, u32 mask, u32 cookie, u32 len; then len bytes of name
    private readonly int _fd;

    private FileAttributeChanges(int fd) => _fd = fd;

    public static FileAttributeChanges Watch(string directory)
    {
        var fd = InotifyInit1(InNonBlock | InCloExec);
        if (fd < 0) throw new IOException($"inotify_init1 failed (errno {Marshal.GetLastPInvokeError()})");
        if (InotifyAddWatch(fd, directory, InAttrib) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Close(fd);
            throw new IOException($"inotify_add_watch of '{directory}' failed (errno {errno})");
        }
        return new FileAttributeChanges(fd);
    }

    /// <summary>Names of the files whose attributes changed since the watch began (or the last drain), in order.</summary>
    public IReadOnlyList<string> Drain()
    {
        var names = new List<string>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = Read(_fd, buffer, buffer.Length);
            if (n < 0) return names; // EAGAIN: the queue is empty
            for (var offset = 0; offset + EventHeaderBytes <= n;)
            {
                var nameBytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 12));
                var name = buffer.AsSpan(offset + EventHeaderBytes, nameBytes);
                var end = name.IndexOf((byte)0);
                names.Add(System.Text.Encoding.UTF8.GetString(end < 0 ? name : name[..end]));
                offset += EventHeaderBytes + nameBytes;
            }
        }
    }

    public void Dispose() => _ = Close(_fd);

    // DllImport rather than LibraryImport: the generated marshalling would need unsafe code in this project.
    [DllImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static extern int InotifyInit1(int flags);

    [DllImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false,
        ThrowOnUnmappableChar = true)]
    private static extern int InotifyAddWatch(int fd, string path, int mask);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint Read(int fd, [Out] byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
