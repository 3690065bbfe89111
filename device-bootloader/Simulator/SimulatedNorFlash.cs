using AtymSecure.Bootloader.Flash;

namespace AtymSecure.Bootloader.Simulator;

/// <summary>
/// In-memory NOR flash simulator enforcing the part's rules (aligned programs, bits only move away
/// from the erased value, no second program of a unit without erase, whole-sector erase, erase
/// endurance) and injecting faults from a <see cref="FaultPlan"/>: power cut before operation N,
/// torn programs, interrupted erases, dropped writes and out-of-order write completion.
/// <see cref="Mutated"/> observes every program and erase (tests snapshot the part to a file with it).
/// </summary>
public sealed class SimulatedNorFlash : IFlash
{
    private readonly byte[] _data;
    private readonly bool[] _programmedUnits;
    private readonly int[] _eraseCounts;
    private readonly List<PendingWrite> _unsynced = [];
    private FaultPlan _plan = FaultPlan.None;
    private Random _random = new(0);

    public SimulatedNorFlash(FlashGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        Geometry = geometry;
        _data = new byte[geometry.TotalSize];
        _data.AsSpan().Fill(geometry.ErasedValue);
        _programmedUnits = new bool[geometry.TotalSize / geometry.WriteAlignment];
        _eraseCounts = new int[geometry.SectorCount];
    }

    /// <summary>Restores a part from its parts (<see cref="Clone"/>, and snapshots saved through <see cref="Mutated"/>).</summary>
    public SimulatedNorFlash(FlashGeometry geometry, byte[] data, bool[] programmedUnits, int[] eraseCounts, long operationCount)
    {
        Geometry = geometry;
        _data = data;
        _programmedUnits = programmedUnits;
        _eraseCounts = eraseCounts;
        OperationCount = operationCount;
    }

    public FlashGeometry Geometry { get; }

    /// <summary>Programs and erases performed (or attempted) so far; the next one has index OperationCount + 1.</summary>
    public long OperationCount { get; private set; }

    /// <summary>True after a power cut until <see cref="PowerOn"/>.</summary>
    public bool IsFrozen { get; private set; }

    /// <summary>When set, the operation kinds are appended here (the harness uses this to pick cut points).</summary>
    public List<FlashOperationKind>? Trace { get; set; }

    /// <summary>When set, called after every program and erase that changed the part (e.g. to save a snapshot).</summary>
    public Action<SimulatedNorFlash>? Mutated { get; set; }

    /// <summary>Raw content as currently readable (tests compare images with this).</summary>
    public ReadOnlySpan<byte> Content => _data;

    public ReadOnlySpan<bool> ProgrammedUnits => _programmedUnits;

    public ReadOnlySpan<int> EraseCounts => _eraseCounts;

    public int EraseCount(int sectorIndex) => _eraseCounts[sectorIndex];

    /// <summary>Installs the faults to inject from now on (replaces any earlier plan).</summary>
    public void Arm(FaultPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _plan = plan;
        _random = new Random(plan.Seed);
    }

    /// <summary>Power the part back on after a cut: the cut is consumed, other faults stay armed.</summary>
    public void PowerOn()
    {
        IsFrozen = false;
        _unsynced.Clear();
        _plan = _plan with { CutBeforeOperation = null };
    }

    public void Read(long offset, Span<byte> destination)
    {
        ThrowIfFrozen();
        Geometry.CheckRange(offset, destination.Length);
        _data.AsSpan((int)offset, destination.Length).CopyTo(destination);
    }

    public void Program(long offset, ReadOnlySpan<byte> data)
    {
        ThrowIfFrozen();
        Geometry.CheckProgram(offset, data.Length);
        var align = Geometry.WriteAlignment;

        var op = ++OperationCount;
        Trace?.Add(FlashOperationKind.Program);
        if (_plan.CutBeforeOperation == op)
        {
            if (_plan.CutKind == CutKind.TornProgram) ApplyTorn(offset, data);
            Cut(op);
        }

        var firstUnit = (int)(offset / align);
        var unitCount = data.Length / align;
        for (var u = 0; u < unitCount; u++)
            if (_programmedUnits[firstUnit + u])
                throw new FlashDoubleProgramException((long)(firstUnit + u) * align);

        if (IsDropped(offset)) return;

        if (_plan.OutOfOrderWrites)
            _unsynced.Add(new PendingWrite(offset, _data.AsSpan((int)offset, data.Length).ToArray()));

        ProgramBits(offset, data);
        _programmedUnits.AsSpan(firstUnit, unitCount).Fill(true);
        Persist();
    }

    public void EraseSector(long sectorOffset)
    {
        ThrowIfFrozen();
        var sector = Geometry.CheckErase(sectorOffset);

        var op = ++OperationCount;
        Trace?.Add(FlashOperationKind.Erase);
        // An erase waits for earlier writes, so it is a barrier for out-of-order completion.
        _unsynced.Clear();
        var size = Geometry.SectorSize(sector);

        if (_plan.CutBeforeOperation == op)
        {
            if (_plan.CutKind == CutKind.InterruptedErase)
            {
                _eraseCounts[sector]++;
                FillInterrupted(sectorOffset, size);
            }
            Cut(op);
        }

        if (_eraseCounts[sector] >= Geometry.Endurance)
            throw new FlashWearOutException(sector, _eraseCounts[sector]);
        _eraseCounts[sector]++;
        _data.AsSpan((int)sectorOffset, size).Fill(Geometry.ErasedValue);
        _programmedUnits.AsSpan((int)(sectorOffset / Geometry.WriteAlignment), size / Geometry.WriteAlignment).Clear();
        Persist();
    }

    public void Sync()
    {
        ThrowIfFrozen();
        _unsynced.Clear();
    }

    /// <summary>
    /// Retention loss / bit rot: flips the bits of <paramref name="xorMask"/> in one byte without
    /// counting an operation (nothing the software did). Used to test verification fallbacks.
    /// </summary>
    public void InjectBitRot(long offset, byte xorMask)
    {
        Geometry.CheckRange(offset, 1);
        _data[offset] ^= xorMask;
        Persist();
    }

    /// <summary>An independent copy (content, wear, operation count); faults are not copied.</summary>
    public SimulatedNorFlash Clone() =>
        new(Geometry, (byte[])_data.Clone(), (bool[])_programmedUnits.Clone(), (int[])_eraseCounts.Clone(), OperationCount);

    /// <summary>Overwrites this part's state with <paramref name="source"/>'s (same geometry); faults are disarmed.</summary>
    public void RestoreFrom(SimulatedNorFlash source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source._data.Length != _data.Length || source.Geometry.WriteAlignment != Geometry.WriteAlignment)
            throw new ArgumentException("snapshot is of a different part", nameof(source));
        source._data.CopyTo(_data, 0);
        source._programmedUnits.CopyTo(_programmedUnits, 0);
        source._eraseCounts.CopyTo(_eraseCounts, 0);
        OperationCount = source.OperationCount;
        IsFrozen = false;
        _unsynced.Clear();
        _plan = FaultPlan.None;
    }

    private void ProgramBits(long offset, ReadOnlySpan<byte> data)
    {
        var target = _data.AsSpan((int)offset, data.Length);
        // NOR programming can only move bits away from the erased value.
        if (Geometry.ErasedValue == 0xFF)
            for (var i = 0; i < data.Length; i++) target[i] &= data[i];
        else
            for (var i = 0; i < data.Length; i++) target[i] |= data[i];
    }

    private void ApplyTorn(long offset, ReadOnlySpan<byte> data)
    {
        var style = _plan.TornStyle == TornProgramStyle.Random
            ? (_random.Next(2) == 0 ? TornProgramStyle.Prefix : TornProgramStyle.BitSubset)
            : _plan.TornStyle;
        var torn = data.ToArray();
        var erased = Geometry.ErasedValue;
        if (style == TornProgramStyle.Prefix)
        {
            torn.AsSpan(_random.Next(data.Length + 1)).Fill(erased);
        }
        else
        {
            for (var i = 0; i < torn.Length; i++)
            {
                var moving = (byte)(torn[i] ^ erased);
                var landed = (byte)(moving & _random.Next(256));
                torn[i] = (byte)(erased ^ landed);
            }
        }
        ProgramBits(offset, torn);
        MarkNonErasedUnits(offset, data.Length);
    }

    private void FillInterrupted(long sectorOffset, int size)
    {
        var span = _data.AsSpan((int)sectorOffset, size);
        if (_random.Next(2) == 0)
        {
            _random.NextBytes(span);
        }
        else
        {
            // Erase got part way: a prefix is erased, the rest is noise.
            var split = _random.Next(size + 1);
            span[..split].Fill(Geometry.ErasedValue);
            _random.NextBytes(span[split..]);
        }
        MarkNonErasedUnits(sectorOffset, size);
    }

    /// <summary>
    /// After a torn program or interrupted erase a unit counts as programmed iff it no longer
    /// reads as erased: a unit whose cells never moved is physically erased.
    /// </summary>
    private void MarkNonErasedUnits(long offset, int length)
    {
        var align = Geometry.WriteAlignment;
        var erased = Geometry.ErasedValue;
        for (var u = offset; u < offset + length; u += align)
        {
            var isErased = !_data.AsSpan((int)u, align).ContainsAnyExcept(erased);
            _programmedUnits[u / align] = !isErased;
        }
    }

    private bool IsDropped(long offset)
    {
        if (_plan.DroppedWriteProbability <= 0) return false;
        if (_plan.DroppedWriteRegion is { } r && (offset < r.Start || offset >= r.End)) return false;
        return _random.NextDouble() < _plan.DroppedWriteProbability;
    }

    private void Cut(long op)
    {
        // Out-of-order completion: each unsynced write independently did or did not reach the cells.
        foreach (var w in _unsynced)
        {
            if (_random.Next(2) == 0) continue;
            w.OldBytes.CopyTo(_data.AsSpan((int)w.Offset));
            MarkNonErasedUnits(w.Offset, w.OldBytes.Length);
        }
        _unsynced.Clear();
        IsFrozen = true;
        Persist();
        throw new PowerCutException(op);
    }

    private void ThrowIfFrozen()
    {
        if (IsFrozen) throw new PowerCutException(OperationCount);
    }

    private void Persist()
    {
        Mutated?.Invoke(this);
    }

    private sealed record PendingWrite(long Offset, byte[] OldBytes);
}
