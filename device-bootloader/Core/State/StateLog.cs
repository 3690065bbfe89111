using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;

namespace AtymSecure.Bootloader.State;

/// <summary>
/// Append-only, two-half state log (littlefs metadata-pair / MCUboot status style). Each half is a
/// run of fixed-size record slots; slot 0 is a header naming the half's epoch. The current half
/// is the valid header with the highest epoch; records in it carry that epoch and increasing
/// sequence numbers, and a container's state is its newest valid record. Nothing is rewritten in
/// place: when the current half is full, the newest record of every container is copied into the
/// erased other half, then that half's header is written (the commit), and only a later
/// compaction erases the old half. A torn record fails its CRC/MAC and is skipped; a cut before
/// the header leaves the old half current.
/// <para>Each half holds records of one format, the one of its header, at that format's stride. New halves are
/// written in <see cref="WriteFormat"/> (v2, the full SemVer); a device whose current half is still v1 migrates
/// on its next append by compacting into the other half as v2, the same power-cut-safe step as any compaction.
/// Layouts whose halves cannot hold v2 records for every container (planned before the planner sized halves
/// for v2) keep writing v1 and refuse the versions v1 cannot hold (<see cref="CannotRecord"/>).</para>
/// </summary>
public sealed class StateLog
{
    private const int MaxWriteAttempts = 4;
    private readonly IFlash _flash;
    private readonly Partition[] _halves;
    private readonly DeviceKey _key;
    private readonly int _writeAlignment;
    private readonly long _halfBytes;
    private readonly ContainerRecord?[] _latest;
    private StateRecordFormat _format;
    private int _current = -1;
    private uint _epoch;
    private int _nextSlot;
    private uint _nextSequence;

    public StateLog(IFlash flash, PartitionTable table, DeviceKey key)
    {
        ArgumentNullException.ThrowIfNull(flash);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(key);
        _flash = flash;
        _key = key;
        _halves = [table.StateHalf(0), table.StateHalf(1)];
        _writeAlignment = flash.Geometry.WriteAlignment;
        _halfBytes = Math.Min(_halves[0].Size, _halves[1].Size);
        _latest = new ContainerRecord?[table.ContainerNames.Count];
        var needed = 2 + table.ContainerNames.Count;
        WriteFormat = Slots(StateRecordCodec.CurrentFormat) >= needed ? StateRecordCodec.CurrentFormat : StateRecordFormat.V1;
        _format = WriteFormat;
        if (Slots(WriteFormat) < needed)
            throw new PartitionTableException(PartitionTableProblemCodes.StateHalvesTooSmall, "entries",
                $"state halves hold {Slots(WriteFormat)} records, need at least {needed} for {table.ContainerNames.Count} containers");
    }

    /// <summary>The format new halves and records are written in: v2, or v1 on a layout too small for v2.</summary>
    public StateRecordFormat WriteFormat { get; }

    /// <summary>Format of the current half's records (v1 until a device provisioned before v2 first writes).</summary>
    public StateRecordFormat CurrentFormat => _format;

    /// <summary>Why this log could not record an image of <paramref name="version"/> (null when it can).</summary>
    public string? CannotRecord(Formats.Container.SemanticVersion version) =>
        StateRecordCodec.Unencodable(SlotImageInfo.Unverified(0, default, version, 0), WriteFormat) is { } why
            ? $"{why}; this device's state halves are too small for v2 records (re-provision it to install such versions)"
            : null;

    /// <summary>
    /// Smallest state half that holds a header, the newest record of each of <paramref name="containers"/> and one
    /// free slot, the least a compaction needs to make progress.
    /// </summary>
    public static long MinimumHalfBytes(int containers, int writeAlignment)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(containers);
        ArgumentOutOfRangeException.ThrowIfLessThan(writeAlignment, 1);
        return (2L + containers) * SlotSize(StateRecordCodec.CurrentFormat, writeAlignment);
    }

    private static int SlotSize(StateRecordFormat format, int writeAlignment) =>
        (StateRecordCodec.RecordSize(format) + writeAlignment - 1) / writeAlignment * writeAlignment;

    private int SlotSize(StateRecordFormat format) => SlotSize(format, _writeAlignment);

    private int Slots(StateRecordFormat format) => (int)(_halfBytes / SlotSize(format));

    /// <summary>Record slots per half in the current half's format (slot 0 is the header).</summary>
    public int SlotsPerHalf => Slots(_format);

    /// <summary>Record slots left in the current half before the next append compacts.</summary>
    public int FreeSlots => Math.Max(0, SlotsPerHalf - _nextSlot);

    /// <summary>Compactions performed by this instance (wear accounting in tests).</summary>
    public int Compactions { get; private set; }

    /// <summary>Index (0/1) of the current half after <see cref="Recover"/>.</summary>
    public int CurrentHalf => _current;

    public uint Epoch => _epoch;

    /// <summary>Newest record of a container, or null if it never had one.</summary>
    public ContainerRecord? Latest(int containerIndex) => _latest[containerIndex];

    /// <summary>
    /// True after a <see cref="Recover"/> that found records with intact CRCs of which none verifies: the log is not
    /// formatted and <see cref="Append"/> is refused until an operator re-provisions (<see cref="Reformat"/>).
    /// </summary>
    public bool InRecovery { get; private set; }

    /// <summary>
    /// Re-provisioning, the operator's way out of recovery: erases both halves and formats a fresh log. The slots are
    /// not touched.
    /// </summary>
    public StateLogScan Reformat()
    {
        EraseHalf(1);
        _flash.Sync();
        Array.Clear(_latest);
        InRecovery = false;
        IsReadOnly = false;
        Format(0, 1, 1);
        return new StateLogScan(0, 1, 0, 0, 0, 0, Formatted: true);
    }

    /// <summary>Whether any slot of either half, at either format's stride, holds a record with an intact CRC.</summary>
    private bool HoldsIntactRecords()
    {
        foreach (var format in new[] { StateRecordFormat.V1, StateRecordFormat.V2 })
        {
            var buffer = new byte[SlotSize(format)];
            for (var h = 0; h < 2; h++)
                for (var slot = 0; (slot + 1L) * buffer.Length <= _halves[h].Size; slot++)
                {
                    _flash.Read(SlotOffset(h, slot, format), buffer);
                    if (StateRecordCodec.HasIntactCrc(buffer)) return true;
                }
        }
        return false;
    }

    /// <summary>True after a <see cref="Recover"/> with <c>mayWrite: false</c>: <see cref="Append"/> is refused.</summary>
    public bool IsReadOnly { get; private set; }

    /// <summary>
    /// Rebuilds the in-memory view from flash. Formats the log when no half has a valid header
    /// (a fresh part) unless <paramref name="mayWrite"/> is false (a read-only command: it then reports an
    /// unformatted log and writes nothing, ever). Returns what the scan saw, for diagnostics and tests.
    /// </summary>
    public StateLogScan Recover(bool mayWrite = true)
    {
        Array.Clear(_latest);
        IsReadOnly = !mayWrite;
        InRecovery = false;
        var headers = new (StateLogEntry Entry, StateRecordFormat Format)?[2];
        for (var h = 0; h < 2; h++) headers[h] = ReadHeader(h);

        if (headers[0] is null && headers[1] is null)
        {
            // Records whose CRC holds but none verifies (damaged MACs, a replaced device key) are not a new device:
            // formatting would forget every container and floor. Recovery writes nothing and keeps every byte.
            if (HoldsIntactRecords())
            {
                IsReadOnly = true;
                InRecovery = true;
                return new StateLogScan(-1, 0, 0, 0, 0, 0, Formatted: false) { Recovery = true };
            }
            if (!mayWrite) return new StateLogScan(-1, 0, 0, 0, 0, 0, Formatted: false);
            Format(0, 1, 1);
            return new StateLogScan(0, 1, 0, 0, 0, 0, Formatted: true);
        }

        _current = headers[1] is null || (headers[0] is not null && headers[0]!.Value.Entry.Epoch > headers[1]!.Value.Entry.Epoch) ? 0 : 1;
        var (header, format) = headers[_current]!.Value;
        _format = format;
        _epoch = header.Epoch;
        var maxSequence = header.Sequence;
        var lastUsed = 0;
        int valid = 0, invalid = 0, outOfOrder = 0;
        uint lastSequence = 0;
        var buffer = new byte[SlotSize(_format)];
        for (var slot = 1; slot < SlotsPerHalf; slot++)
        {
            _flash.Read(SlotOffset(_current, slot, _format), buffer);
            if (StateRecordCodec.IsErased(buffer, _flash.Geometry.ErasedValue)) continue;
            lastUsed = slot;
            if (StateRecordCodec.FormatOf(buffer) != _format
                || !StateRecordCodec.TryDecode(buffer, _key, out var entry, out _)
                || entry!.Type != StateRecordType.Container
                || entry.Epoch != _epoch
                || entry.Container!.ContainerIndex >= _latest.Length)
            {
                invalid++;
                continue;
            }
            if (entry.Sequence <= lastSequence) { outOfOrder++; continue; }
            lastSequence = entry.Sequence;
            maxSequence = Math.Max(maxSequence, entry.Sequence);
            _latest[entry.Container.ContainerIndex] = entry.Container;
            valid++;
        }
        _nextSlot = lastUsed + 1;
        _nextSequence = maxSequence + 1;
        return new StateLogScan(_current, _epoch, valid, invalid, outOfOrder, _nextSlot, Formatted: false);
    }

    /// <summary>Makes <paramref name="record"/> durable as the container's newest state.</summary>
    public void Append(ContainerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (InRecovery) throw new InvalidOperationException("the device is in recovery (no state record verifies); re-provision it before anything is recorded");
        if (IsReadOnly) throw new InvalidOperationException("this state log was recovered read-only; a read-only command does not append");
        if (_current < 0) throw new InvalidOperationException("call Recover before Append");
        if (record.ContainerIndex >= _latest.Length) throw new ArgumentOutOfRangeException(nameof(record), record.ContainerIndex, "unknown container index");
        // A half of an older format is migrated before anything is appended to it: halves hold one format each.
        if (_format != WriteFormat) Compact();
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            if (_nextSlot >= SlotsPerHalf) Compact();
            var entry = new StateLogEntry(StateRecordType.Container, _nextSequence++, _epoch, record);
            if (WriteVerified(_current, _nextSlot++, entry))
            {
                _latest[record.ContainerIndex] = record;
                return;
            }
        }
        throw new StateWriteException($"state record for container {record.ContainerIndex} did not read back correctly after {MaxWriteAttempts} attempts");
    }

    private void Compact()
    {
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            var target = 1 - _current;
            var epoch = _epoch + 1;
            EraseHalf(target);
            var headerSequence = _nextSequence++;
            var slot = 1;
            foreach (var record in _latest)
            {
                if (record is null) continue;
                while (true)
                {
                    if (slot >= Slots(WriteFormat)) throw new StateWriteException("compaction ran out of slots (writes keep failing)");
                    if (WriteVerified(target, slot++, new StateLogEntry(StateRecordType.Container, _nextSequence++, epoch, record))) break;
                }
            }
            _flash.Sync();
            if (!WriteVerified(target, 0, new StateLogEntry(StateRecordType.HalfHeader, headerSequence, epoch, null))) continue;
            _current = target;
            _format = WriteFormat;
            _epoch = epoch;
            _nextSlot = slot;
            Compactions++;
            return;
        }
        throw new StateWriteException("compaction header did not read back correctly");
    }

    private void Format(int half, uint epoch, uint sequence)
    {
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            EraseHalf(half);
            if (!WriteVerified(half, 0, new StateLogEntry(StateRecordType.HalfHeader, sequence, epoch, null))) continue;
            _current = half;
            _format = WriteFormat;
            _epoch = epoch;
            _nextSlot = 1;
            _nextSequence = sequence + 1;
            return;
        }
        throw new StateWriteException("state log header did not read back correctly");
    }

    private void EraseHalf(int half) => _flash.EraseSectors(_halves[half].Offset, _halves[half].Size);

    /// <summary>Programs one record in <see cref="WriteFormat"/>, syncs and reads it back; false when it did not land (dropped write).</summary>
    private bool WriteVerified(int half, int slot, StateLogEntry entry)
    {
        var encoded = StateRecordCodec.Encode(entry, _key, WriteFormat);
        var padded = new byte[SlotSize(WriteFormat)];
        padded.AsSpan().Fill(_flash.Geometry.ErasedValue);
        encoded.CopyTo(padded, 0);
        var offset = SlotOffset(half, slot, WriteFormat);
        _flash.Program(offset, padded);
        _flash.Sync();
        var readBack = new byte[padded.Length];
        _flash.Read(offset, readBack);
        return readBack.AsSpan().SequenceEqual(padded);
    }

    /// <summary>The half's header and its format: slot 0 starts the half whatever the stride, so read the largest record.</summary>
    private (StateLogEntry Entry, StateRecordFormat Format)? ReadHeader(int half)
    {
        var buffer = new byte[Math.Min(StateRecordCodec.MaxRecordSize, _halves[half].Size)];
        _flash.Read(_halves[half].Offset, buffer);
        return StateRecordCodec.TryDecode(buffer, _key, out var entry, out _) && entry!.Type == StateRecordType.HalfHeader
            ? (entry, StateRecordCodec.FormatOf(buffer)!.Value)
            : null;
    }

    private long SlotOffset(int half, int slot, StateRecordFormat format) => _halves[half].Offset + (long)slot * SlotSize(format);
}

/// <summary>What <see cref="StateLog.Recover"/> found in the current half.</summary>
public sealed record StateLogScan(
    int CurrentHalf,
    uint Epoch,
    int ValidRecords,
    int InvalidSlots,
    int OutOfOrderRecords,
    int NextSlot,
    bool Formatted)
{
    /// <summary>Records with intact CRCs were found but none verifies: the device is in recovery (nothing was written).</summary>
    public bool Recovery { get; init; }
}
