using System.Security.Cryptography;

namespace AtymSecure.Primitives;

/// <summary>
/// The one durable whole-file write: a kill or power cut leaves the target either old or new, never half-written.
/// The content goes to a temp file in the target's own directory (so the rename stays on one filesystem) with a
/// random name no other process can predict or collide with, created with the requested mode from the start;
/// the file is fsynced, renamed over (or, for <see cref="AtomicWriteMode.CreateNew"/>, linked to) the target,
/// and the directory is fsynced so the rename itself survives power loss — together with every parent
/// directory this call had to create. On any failure the temp file is deleted and the old target is untouched.
/// </summary>
public static class AtomicFile
{
    /// <summary>Search pattern matching the temp files this class creates (a crash may leave one behind).</summary>
    public const string TemporaryFilePattern = ".*.tmp-*";

    private const int MaxNameInTempName = 200; // keeps ".{name}.tmp-{32 hex}" under the usual 255-byte name limit

    public static void Write(string path, ReadOnlySpan<byte> content, AtomicWriteOptions? options = null)
    {
        var pending = PendingWrite.Begin(path, options);
        try
        {
            using (var stream = pending.CreateTemp(FileOptions.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            pending.Commit();
        }
        catch
        {
            pending.Abandon();
            throw;
        }
    }

    /// <summary>Streams large content: <paramref name="write"/> fills the temp file (it may also read it back).</summary>
    public static void Write(string path, Action<FileStream> write, AtomicWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        var pending = PendingWrite.Begin(path, options);
        try
        {
            using (var stream = pending.CreateTemp(FileOptions.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            pending.Commit();
        }
        catch
        {
            pending.Abandon();
            throw;
        }
    }

    public static Task WriteAsync(string path, ReadOnlyMemory<byte> content, AtomicWriteOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WriteAsync(path, (stream, ct) => stream.WriteAsync(content, ct).AsTask(), options, cancellationToken);

    /// <summary>Streams large content asynchronously (e.g. from the network) into the temp file, then commits it.</summary>
    public static async Task WriteAsync(string path, Func<FileStream, CancellationToken, Task> write, AtomicWriteOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var pending = PendingWrite.Begin(path, options);
        try
        {
            var stream = pending.CreateTemp(FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            pending.Commit();
        }
        catch
        {
            pending.Abandon();
            throw;
        }
    }

    /// <summary>
    /// The commit step alone, for a file another writer has finished (a compiler's output, a streamed upload):
    /// with <paramref name="durable"/>, fsyncs <paramref name="finishedFile"/>, renames it to <paramref name="path"/>
    /// (creating missing directories) and fsyncs the directories. It must be on the same filesystem as the target.
    /// The caller deletes <paramref name="finishedFile"/> if this throws.
    /// </summary>
    public static void MoveIntoPlace(string finishedFile, string path, AtomicWriteMode mode, bool durable = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(finishedFile);
        var target = Path.GetFullPath(path);
        var existing = CreateDirectoryOf(target);
        if (durable)
        {
            using var stream = new FileStream(finishedFile, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1);
            stream.Flush(flushToDisk: true);
        }
        Rename(finishedFile, target, mode, durable ? existing : null);
    }

    /// <summary>
    /// A fresh temp path beside <paramref name="path"/> (matching <see cref="TemporaryFilePattern"/>) for a writer
    /// that is not this class — a compiler's <c>-o</c> — to fill before <see cref="MoveIntoPlace"/>.
    /// </summary>
    public static string TemporaryPathFor(string path)
    {
        var target = Path.GetFullPath(path);
        var name = Path.GetFileName(target);
        if (name.Length > MaxNameInTempName) name = name[..MaxNameInTempName];
        return Path.Combine(Path.GetDirectoryName(target)!, $".{name}.tmp-{RandomNumberGenerator.GetHexString(32, lowercase: true)}");
    }

    /// <summary>Creates the directory of <paramref name="target"/> if needed; returns the nearest one that already existed.</summary>
    private static string CreateDirectoryOf(string target)
    {
        var directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{target}' has no directory", nameof(target));
        var existing = directory;
        while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing)!;
        if (existing != directory) Directory.CreateDirectory(directory);
        return existing;
    }

    /// <summary>Renames; with <paramref name="syncUpTo"/>, fsyncs the target's directory and each new parent up to that one.</summary>
    private static void Rename(string temp, string target, AtomicWriteMode mode, string? syncUpTo)
    {
        if (mode == AtomicWriteMode.CreateNew) NoReplaceRename.Move(temp, target); // a target created meanwhile is never replaced
        else File.Move(temp, target, overwrite: true);
        if (syncUpTo is null) return;
        for (var d = Path.GetDirectoryName(target)!; ; d = Path.GetDirectoryName(d)!)
        {
            DirectorySync.Flush(d);
            if (d == syncUpTo) break;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort while another failure propagates: a leftover temp is never read, and matches TemporaryFilePattern.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private readonly record struct PendingWrite(string Target, string Temp, string ExistingDirectory, AtomicWriteOptions Options)
    {
        public static PendingWrite Begin(string path, AtomicWriteOptions? options)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            options ??= AtomicWriteOptions.Default;
            var target = Path.GetFullPath(path);
            if (options.Mode == AtomicWriteMode.CreateNew && (File.Exists(target) || Directory.Exists(target)))
                throw new IOException($"'{target}' already exists; refusing to replace it");
            var existing = CreateDirectoryOf(target);
            return new PendingWrite(target, TemporaryPathFor(target), existing, options);
        }

        public FileStream CreateTemp(FileOptions fileOptions)
        {
            var streamOptions = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                Options = fileOptions,
            };
            if (Options.OwnerOnly && !OperatingSystem.IsWindows())
                streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            return new FileStream(Temp, streamOptions);
        }

        public void Commit() => Rename(Temp, Target, Options.Mode, ExistingDirectory);

        public void Abandon() => TryDelete(Temp);
    }
}
