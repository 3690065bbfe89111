using System.Runtime.InteropServices;

namespace AtymSecure.Primitives;

/// <summary>
/// fsync(2) of a directory, which is what makes a rename(2) into it survive power loss: fsync of the file
/// persists its bytes, not the directory entry that points at them. .NET cannot open a directory as a
/// FileStream, hence the libc calls. No-op on Windows (NTFS journals metadata, and MoveFileEx is used there).
/// See https://man7.org/linux/man-pages/man2/fsync.2.html ("Calling fsync() does not necessarily ensure that
/// the entry in the directory containing the file has also reached disk").
/// </summary>
public static partial class DirectorySync
{
    /// <summary>Flushes the entries of <paramref name="directory"/> to disk; throws <see cref="IOException"/> if that fails.</summary>
    public static void Flush(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(directory, 0 /* O_RDONLY; O_DIRECTORY differs per architecture and is not needed */);
        if (fd < 0) throw Failure("open", directory);
        try
        {
            if (Fsync(fd) != 0) throw Failure("fsync", directory);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static IOException Failure(string call, string directory) =>
        new($"{call} of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}); a rename into it may not be durable");

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
