using System.Buffers.Binary;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;

namespace AtymSecure.Bootloader.State;

/// <summary>
/// Write-once security counters, one per container, modelled on the hardware counters MCUboot uses (OTP or
/// never-erased NOR words): each bump programs the next never-erased entry with the new floor, and nothing in normal
/// operation erases the region (not compaction, not <see cref="DeviceBootloader.Reprovision"/>). So a floor, once
/// programmed, survives a damaged, replaced or replayed state log: the effective floor of a container is
/// <c>max(floor in its newest state record, floor here)</c>.
/// <para>Layout (partition kind <see cref="PartitionKind.CounterStore"/>, table v2): container <c>i</c> owns
/// <c>capacity</c> entries starting at <c>region + i · capacity · stride</c>; an entry is
/// <c>u32 value | u32 ~value</c> (little-endian), padded with the erased value to the stride
/// (<see cref="EntryStride"/>: 8 bytes, or the write alignment when that is larger), programmed in one operation.</para>
/// <para>Why value + complement: NOR programming moves bits one way only (away from the erased value), so a program cut
/// short leaves a strict subset of its moving bits moved. A complete entry has exactly 32 one-bits (a word and its
/// complement); a torn one has more (erased 0xFF) or fewer (erased 0x00), so it can never read as any valid entry,
/// and a single flipped bit of bit rot breaks the pair as well. A torn or damaged entry is ignored for the floor and
/// counts as used (it cannot be programmed again); the next bump takes the entry after the last non-erased one, so a
/// torn bump costs one entry of capacity and never raises the floor by itself.</para>
/// </summary>
public sealed class SecurityCounterStore
{
    /// <summary>Bumps per container a device profile gets unless it says otherwise (issue 11 §2: at least 256).</summary>
    public const int DefaultCapacity = 256;

    /// <summary>Fewest bumps per container a v2 partition table may give.</summary>
    public const int MinCapacity = 256;

    /// <summary>Most bumps per container a v2 partition table may give (bounds the region a reader scans).</summary>
    public const int MaxCapacity = 65_536;

    /// <summary>Bytes of one entry before padding: the value and its complement.</summary>
    public const int EntryBytes = 8;

    private const int MaxWriteAttempts = 4;
    private readonly IFlash _flash;
    private readonly Partition _region;
    private readonly int _stride;

    public SecurityCounterStore(IFlash flash, PartitionTable table)
    {
        ArgumentNullException.ThrowIfNull(flash);
        ArgumentNullException.ThrowIfNull(table);
        _flash = flash;
        _region = table.CounterRegion ?? throw new ArgumentException("the partition table has no counter region (a v1 table)", nameof(table));
        Capacity = table.CounterCapacity;
        Containers = table.ContainerNames.Count;
        _stride = EntryStride(flash.Geometry.WriteAlignment);
        if (RequiredBytes(Containers, Capacity, flash.Geometry.WriteAlignment) > _region.Size)
            throw new ArgumentException($"counter region of {_region.Size} bytes is too small for {Containers} × {Capacity} entries", nameof(table));
    }

    /// <summary>Entries (bumps) each container owns.</summary>
    public int Capacity { get; }

    public int Containers { get; }

    /// <summary>Bytes between entries: one program operation each.</summary>
    public static int EntryStride(int writeAlignment) => Math.Max(EntryBytes, writeAlignment);

    /// <summary>Bytes a region needs for <paramref name="containers"/> × <paramref name="capacity"/> entries.</summary>
    public static long RequiredBytes(int containers, int capacity, int writeAlignment) =>
        (long)containers * capacity * EntryStride(writeAlignment);

    /// <summary>What the container's entries say: the floor (0 when never bumped), entries used, torn entries among them.</summary>
    public SecurityCounterReading Read(int container)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(container);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(container, Containers);
        var buffer = new byte[_stride];
        uint floor = 0;
        int used = 0, torn = 0;
        for (var i = 0; i < Capacity; i++)
        {
            _flash.Read(EntryOffset(container, i), buffer);
            if (IsErased(buffer)) continue;
            // Everything up to the last non-erased entry is used: a hole (a dropped write) is never programmed later.
            used = i + 1;
            if (TryDecode(buffer, out var value)) floor = Math.Max(floor, value);
            else torn++;
        }
        return new SecurityCounterReading(floor, used, torn, Capacity);
    }

    /// <summary>
    /// Raises the container's floor to <paramref name="value"/>: programs the next entry, syncs, reads it back (a
    /// dropped or torn write moves on to the next entry). Durable when it returns.
    /// </summary>
    /// <exception cref="SecurityCounterExhaustedException">No entry left; nothing was written.</exception>
    public void Bump(int container, uint value)
    {
        var reading = Read(container);
        if (value <= reading.Floor)
            throw new ArgumentOutOfRangeException(nameof(value), value, $"a bump must raise the floor (now {reading.Floor})");
        var next = reading.Used;
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++, next++)
        {
            if (next >= Capacity) throw new SecurityCounterExhaustedException(container, Capacity);
            var entry = Encode(value);
            var offset = EntryOffset(container, next);
            _flash.Program(offset, entry);
            _flash.Sync();
            var readBack = new byte[entry.Length];
            _flash.Read(offset, readBack);
            if (readBack.AsSpan().SequenceEqual(entry)) return;
        }
        throw new StateWriteException($"security counter of container {container} did not read back correctly after {MaxWriteAttempts} attempts");
    }

    /// <summary>One entry as programmed: value, complement, erased padding to the stride.</summary>
    public byte[] Encode(uint value)
    {
        var entry = new byte[_stride];
        entry.AsSpan().Fill(_flash.Geometry.ErasedValue);
        BinaryPrimitives.WriteUInt32LittleEndian(entry, value);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(4), ~value);
        return entry;
    }

    /// <summary>Offset of entry <paramref name="entry"/> of <paramref name="container"/> (tests damage entries there).</summary>
    public long EntryOffset(int container, int entry) => _region.Offset + ((long)container * Capacity + entry) * _stride;

    private static bool TryDecode(ReadOnlySpan<byte> entry, out uint value)
    {
        value = BinaryPrimitives.ReadUInt32LittleEndian(entry);
        return BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]) == ~value;
    }

    private bool IsErased(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept(_flash.Geometry.ErasedValue);
}

/// <summary>One container's counter entries: the floor they hold and how much of the capacity is used.</summary>
public sealed record SecurityCounterReading(uint Floor, int Used, int Torn, int Capacity)
{
    /// <summary>Entries left for bumps.</summary>
    public int Remaining => Capacity - Used;

    /// <summary>No bump is possible: an install that would raise this floor is refused (<c>counter-exhausted</c>).</summary>
    public bool Exhausted => Remaining <= 0;
}

/// <summary>A confirm would raise a container's floor, but its counter entries are all used.</summary>
public sealed class SecurityCounterExhaustedException : Exception
{
    public SecurityCounterExhaustedException(int container, int capacity)
        : base($"the security counter store of container {container} is used up ({capacity}/{capacity} entries); its floor cannot rise any more") { }

    public SecurityCounterExhaustedException() { }
    public SecurityCounterExhaustedException(string message) : base(message) { }
    public SecurityCounterExhaustedException(string message, Exception inner) : base(message, inner) { }
}
