using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.FilePort;

/// <summary>
/// A NOR flash part that lives in a file (layout: <see cref="FlashFileLayout"/>): every program and
/// erase is one positioned write straight into the file, so killing the process at any moment leaves
/// the file as a power cut between two flash operations leaves a real part, and the bootloader's state
/// log recovers from it. A kill cannot split one operation: a single write() to a regular file either
/// happened or did not when the process dies (an OS crash or real power loss may tear it, like a torn
/// program on a real part). <see cref="Sync"/> makes everything durable against OS crashes too.
/// <para>
/// NOR rules are those of the simulator's (<c>SimulatedNorFlash</c>) with one difference: the file cannot record
/// which units were programmed, so the rule enforced is "every unit a program touches reads as fully
/// erased" — what parts with per-unit ECC (STM32U5, most quad-word-programmed MCUs) enforce. Programming
/// a unit with the erased value and programming it again later is therefore allowed here.
/// </para>
/// The file is held with an exclusive lock while open: a second writer (another device process) fails
/// with <see cref="FlashFileInUseException"/>. On Linux that lock is an advisory flock, so .NET readers
/// are refused too while a device runs; plain tools (cp, xxd) can still read the file.
/// </summary>
public sealed class FileBackedFlash : IFlash, IDisposable
{
    /// <summary>Largest part a file may hold (256 MiB).</summary>
    public const long MaxContentBytes = FlashFileLayout.MaxContentBytes;

    private const int FillChunk = 1024 * 1024;
    private readonly SafeFileHandle _handle;
    private readonly FlashFileLayout _layout;
    private readonly int[] _eraseCounts;

    private FileBackedFlash(string path, SafeFileHandle handle, FlashFileLayout layout, int[] eraseCounts, bool readOnly)
    {
        Path = path;
        IsReadOnly = readOnly;
        _handle = handle;
        _layout = layout;
        _eraseCounts = eraseCounts;
        EraseCounts = Array.AsReadOnly(_eraseCounts);
    }

    /// <summary>Full path of the flash file.</summary>
    public string Path { get; }

    /// <summary>Opened with <see cref="OpenReadOnly"/>: programs and erases are refused and the file is never written.</summary>
    public bool IsReadOnly { get; }

    public FlashGeometry Geometry => _layout.Geometry;

    /// <summary>Erase cycles per sector so far (live view; persisted with every erase).</summary>
    public IReadOnlyList<int> EraseCounts { get; }

    /// <summary>
    /// Creates a new flash file (header, zero erase counts, content all erased) and opens it. The file
    /// is built with <see cref="AtomicFile"/> (temp name, flushed to disk, renamed into place), so
    /// <paramref name="path"/> never holds a half-written part. Refuses to overwrite an existing file.
    /// </summary>
    public static FileBackedFlash Create(string path, FlashGeometry geometry)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var layout = FlashFileLayout.For(geometry);
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full) || Directory.Exists(full))
            throw new IOException($"flash file '{full}' already exists; refusing to overwrite it");
        // Create-new: fails if another process created the file meanwhile.
        AtomicFile.Write(full, stream => WriteNewContent(stream.SafeFileHandle, layout), new AtomicWriteOptions { Mode = AtomicWriteMode.CreateNew });
        return Open(full);
    }

    /// <summary>
    /// Opens an existing flash file for exclusive use. A damaged, truncated or foreign file raises
    /// <see cref="FlashImageFileException"/> saying what is wrong; a file another process has open
    /// raises <see cref="FlashFileInUseException"/>.
    /// </summary>
    public static FileBackedFlash Open(string path) => Open(path, readOnly: false);

    /// <summary>
    /// Opens an existing flash file for reading only (<c>atym device status</c>): the handle has no write access, so
    /// neither the bytes nor the modification time can change, and <see cref="Program"/>, <see cref="EraseSector"/> raise
    /// <see cref="FlashReadOnlyException"/>. Readers share the file with other readers but not with a writer (a running
    /// device): then <see cref="FlashFileInUseException"/>. Same validation as <see cref="Open(string)"/>.
    /// </summary>
    public static FileBackedFlash OpenReadOnly(string path) => Open(path, readOnly: true);

    private static FileBackedFlash Open(string path, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var handle = OpenLocked(full, readOnly);
        try
        {
            var (layout, counts) = ReadAndValidate(handle);
            return new FileBackedFlash(full, handle, layout, counts, readOnly);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void Read(long offset, Span<byte> destination)
    {
        CheckOpen();
        Geometry.CheckRange(offset, destination.Length);
        while (!destination.IsEmpty)
        {
            var sector = Geometry.SectorIndexAt(offset);
            var inSector = (int)Math.Min(destination.Length, Geometry.SectorStart(sector) + Geometry.SectorSize(sector) - offset);
            ReadExactly(_handle, destination[..inSector], _layout.ContentPosition(sector, offset));
            destination = destination[inSector..];
            offset += inSector;
        }
    }

    public void Program(long offset, ReadOnlySpan<byte> data)
    {
        CheckWritable();
        Geometry.CheckProgram(offset, data.Length);
        if (data.IsEmpty) return;
        var align = Geometry.WriteAlignment;

        var current = ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            Read(offset, current.AsSpan(0, data.Length));
            for (var u = 0; u < data.Length; u += align)
                if (current.AsSpan(u, align).ContainsAnyExcept(Geometry.ErasedValue))
                    throw new FlashDoubleProgramException(offset + u);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
        }
        WriteContent(offset, data);
    }

    /// <summary>
    /// Erases one sector: its erase count and erased content in one write. At the endurance limit the
    /// erase is refused with <see cref="FlashWearOutException"/> and nothing changes (as the simulator's (<c>SimulatedNorFlash</c>)).
    /// </summary>
    public void EraseSector(long sectorOffset)
    {
        CheckWritable();
        var sector = Geometry.CheckErase(sectorOffset);
        if (_eraseCounts[sector] >= Geometry.Endurance)
            throw new FlashWearOutException(sector, _eraseCounts[sector]);

        var record = new byte[4 + Geometry.SectorSize(sector)];
        BinaryPrimitives.WriteInt32LittleEndian(record, _eraseCounts[sector] + 1);
        record.AsSpan(4).Fill(Geometry.ErasedValue);
        RandomAccess.Write(_handle, record, _layout.CountPosition(sector));
        _eraseCounts[sector]++;
    }

    /// <summary>Flushes every earlier program and erase to the disk (fsync).</summary>
    public void Sync()
    {
        CheckOpen();
        // Nothing to flush through a handle that cannot write.
        if (!IsReadOnly) RandomAccess.FlushToDisk(_handle);
    }

    /// <summary>
    /// Copies the flash file as it is right now to a new file (what a kill at this moment would leave
    /// behind). Goes through this instance's handle because the exclusive lock keeps other openers out.
    /// </summary>
    public void CopyTo(string destinationPath)
    {
        CheckOpen();
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        AtomicFile.Write(destinationPath, stream =>
        {
            var buffer = new byte[(int)Math.Min(FillChunk, _layout.FileLength)];
            for (long pos = 0; pos < _layout.FileLength; pos += buffer.Length)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, _layout.FileLength - pos));
                ReadExactly(_handle, chunk, pos);
                RandomAccess.Write(stream.SafeFileHandle, chunk, pos);
            }
        }, new AtomicWriteOptions { Mode = AtomicWriteMode.CreateNew });
    }

    public void Dispose() => _handle.Dispose();

    public override string ToString() => $"{Path} ({Geometry})";

    /// <summary>Writes program data as one write; a program crossing a sector boundary carries the next sector's (unchanged) erase count along.</summary>
    private void WriteContent(long offset, ReadOnlySpan<byte> data)
    {
        var first = Geometry.SectorIndexAt(offset);
        var last = Geometry.SectorIndexAt(offset + data.Length - 1);
        if (first == last)
        {
            RandomAccess.Write(_handle, data, _layout.ContentPosition(first, offset));
            return;
        }
        var buffer = new byte[data.Length + 4 * (last - first)];
        var pos = 0;
        var remaining = data;
        var at = offset;
        for (var s = first; s <= last; s++)
        {
            if (s != first) { BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(pos), _eraseCounts[s]); pos += 4; }
            var n = (int)Math.Min(remaining.Length, Geometry.SectorStart(s) + Geometry.SectorSize(s) - at);
            remaining[..n].CopyTo(buffer.AsSpan(pos));
            pos += n;
            at += n;
            remaining = remaining[n..];
        }
        RandomAccess.Write(_handle, buffer, _layout.ContentPosition(first, offset));
    }

    private static void WriteNewContent(SafeFileHandle handle, FlashFileLayout layout)
    {
        var header = layout.EncodeHeader();
        RandomAccess.Write(handle, header, 0);
        var g = layout.Geometry;
        var erased = new byte[(int)Math.Min(FillChunk, g.SectorSizes.Max())];
        erased.AsSpan().Fill(g.ErasedValue);
        var zeroCount = new byte[4];
        for (var s = 0; s < g.SectorCount; s++)
        {
            var pos = layout.CountPosition(s);
            RandomAccess.Write(handle, zeroCount, pos);
            pos += 4;
            for (var left = g.SectorSize(s); left > 0; left -= erased.Length)
            {
                var n = Math.Min(left, erased.Length);
                RandomAccess.Write(handle, erased.AsSpan(0, n), pos);
                pos += n;
            }
        }
    }

    private static SafeFileHandle OpenLocked(string full, bool readOnly)
    {
        try
        {
            return readOnly
                ? File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.Read)
                : File.OpenHandle(full, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsSharingViolation(e))
        {
            throw new FlashFileInUseException(full, e);
        }
    }

    // EWOULDBLOCK from flock on Unix; ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION on Windows.
    private static bool IsSharingViolation(IOException e) =>
        e is not FileNotFoundException and not DirectoryNotFoundException &&
        e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    private static (FlashFileLayout Layout, int[] Counts) ReadAndValidate(SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        var fixedPart = new byte[FlashFileLayout.FixedHeaderSize];
        if (length >= fixedPart.Length) ReadExactly(handle, fixedPart, 0);
        var headerLength = FlashFileLayout.ReadHeaderLength(fixedPart, length);
        var header = new byte[headerLength];
        ReadExactly(handle, header, 0);
        var layout = FlashFileLayout.Decode(header, length);

        var g = layout.Geometry;
        var counts = new int[g.SectorCount];
        Span<byte> raw = stackalloc byte[4];
        for (var s = 0; s < counts.Length; s++)
        {
            ReadExactly(handle, raw, layout.CountPosition(s));
            counts[s] = BinaryPrimitives.ReadInt32LittleEndian(raw);
            if (counts[s] < 0 || counts[s] > g.Endurance)
                throw new FlashImageFileException($"flash file sector {s} has erase count {counts[s]}, outside 0..{g.Endurance} (damaged file)");
        }
        return (layout, counts);
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long position)
    {
        while (!destination.IsEmpty)
        {
            var n = RandomAccess.Read(handle, destination, position);
            if (n == 0) throw new FlashImageFileException($"flash file ended at {position} (truncated while in use?)");
            destination = destination[n..];
            position += n;
        }
    }

    private void CheckOpen() => ObjectDisposedException.ThrowIf(_handle.IsClosed, this);

    private void CheckWritable()
    {
        CheckOpen();
        if (IsReadOnly) throw new FlashReadOnlyException($"flash file '{Path}' is open read-only; a read-only command does not program or erase");
    }
}
