using System.Runtime.InteropServices;

namespace AtymSecure.Primitives;

/// <summary>
/// rename(2) that fails instead of replacing an existing target, atomically: File.Move(overwrite: false) checks
/// for the target and then renames, so a file created between the two would be replaced. On Linux this is
/// renameat2(RENAME_NOREPLACE) (https://man7.org/linux/man-pages/man2/rename.2.html); elsewhere, and where the
/// filesystem lacks the flag, File.Move's check-then-rename.
/// </summary>
internal static partial class NoReplaceRename
{
    private const int AtFdCwd = -100;
    private const uint RenameNoReplace = 1;
    private const int EExist = 17;

    public static void Move(string source, string target)
    {
        if (OperatingSystem.IsLinux() && TryRenameAt2(source, target, out var errno))
        {
            if (errno == 0) return;
            if (errno == EExist) throw new IOException($"'{target}' already exists; refusing to replace it");
        }
        // Unsupported flag or filesystem, or another error: File.Move reports it with .NET's usual exception types.
        File.Move(source, target, overwrite: false);
    }

    private static bool TryRenameAt2(string source, string target, out int errno)
    {
        try
        {
            errno = RenameAt2(AtFdCwd, source, AtFdCwd, target, RenameNoReplace) == 0 ? 0 : Marshal.GetLastPInvokeError();
            return true;
        }
        catch (EntryPointNotFoundException)
        {
            errno = 0; // a libc without renameat2 (glibc < 2.28)
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);
}
