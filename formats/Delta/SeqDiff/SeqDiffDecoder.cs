using System.Buffers.Binary;

namespace AtymSecure.Formats.Delta.SeqDiff;

/// <summary>
/// Device-side decoder of the SeqDiff codec (formats/Delta/README.md#seqdiff). Reads the old slot
/// with random access, the patch front to back, and writes the new slot front to back. All
/// buffers are allocated in the constructor (<see cref="BufferBytes"/>, under 16 KiB); decoding
/// allocates nothing. Decode block by block with <see cref="DecodeNextBlock"/> and persist
/// <see cref="Checkpoint"/> whenever you like; <see cref="Resume"/> restarts from one.
/// </summary>
public sealed class SeqDiffDecoder
{
    public const int PatchBufferSize = 256;
    public const int OldBufferSize = 256;

    private readonly DeltaPatchHeader _header;
    private readonly ushort[] _probabilities = new ushort[SeqDiffLayout.ProbabilityCount];
    private readonly byte[] _window;
    private readonly byte[] _oldBuffer = new byte[OldBufferSize];
    private readonly RangeDecoder _decoder = new(PatchBufferSize);
    private readonly int _windowMask;
    private readonly long _blockSize;
    private readonly int _blockCount;
    private readonly long _bodyEnd;

    private long _oldBufferStart;
    private int _oldBufferLength;

    // Per-block output state.
    private IDeltaSink? _sink;
    private long _blockOutputStart;
    private int _produced;
    private int _flushed;

    public SeqDiffDecoder(DeltaPatchHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.Codec != DeltaCodec.SeqDiff)
        {
            throw new ArgumentException($"header codec is {header.Codec}, not SeqDiff", nameof(header));
        }

        _header = header;
        _window = new byte[1 << header.ParameterA];
        _windowMask = _window.Length - 1;
        _blockSize = 1L << header.ParameterB;
        long blocks = (header.NewSize + _blockSize - 1) / _blockSize;
        _blockCount = checked((int)blocks);
        _bodyEnd = DeltaPatchHeader.Size + header.BodyLength;
        Checkpoint = new SeqDiffCheckpoint(0, DeltaPatchHeader.Size, 0);
    }

    /// <summary>Bytes of every buffer this decoder allocated (probability table, LZ window, I/O buffers).</summary>
    public int BufferBytes =>
        (_probabilities.Length * sizeof(ushort)) + _window.Length + _oldBuffer.Length + _decoder.BufferBytes;

    /// <summary>Start of the next block to decode; persist it to resume after a power cut.</summary>
    public SeqDiffCheckpoint Checkpoint { get; private set; }

    public int BlockCount => _blockCount;

    public bool IsComplete => Checkpoint.BlockIndex == _blockCount;

    /// <summary>Continues from a persisted checkpoint (validated against this patch's geometry).</summary>
    public void Resume(SeqDiffCheckpoint checkpoint)
    {
        if (checkpoint.BlockIndex < 0 || checkpoint.BlockIndex > _blockCount)
        {
            throw new DeltaFormatException($"checkpoint block {checkpoint.BlockIndex} outside 0..{_blockCount}", -1);
        }

        if (checkpoint.OutputOffset != Math.Min(checkpoint.BlockIndex * _blockSize, _header.NewSize))
        {
            throw new DeltaFormatException($"checkpoint output offset {checkpoint.OutputOffset} is not the start of block {checkpoint.BlockIndex}", -1);
        }

        if (checkpoint.PatchOffset < DeltaPatchHeader.Size || checkpoint.PatchOffset > _bodyEnd)
        {
            throw new DeltaFormatException($"checkpoint patch offset {checkpoint.PatchOffset} outside the body", -1);
        }

        Checkpoint = checkpoint;
    }

    /// <summary>Decodes one block into <paramref name="sink"/>; false when the image is complete.</summary>
    public bool DecodeNextBlock(IRandomAccessSource old, IRandomAccessSource patch, IDeltaSink sink)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(sink);
        if (old.Length != _header.OldSize)
        {
            throw new DeltaMismatchException($"old image is {old.Length} bytes, the patch expects {_header.OldSize}");
        }

        if (patch.Length < _bodyEnd)
        {
            throw new DeltaFormatException($"patch is {patch.Length} bytes, header promises {_bodyEnd}", -1);
        }

        if (IsComplete)
        {
            return false;
        }

        var at = Checkpoint;
        long blockStart = at.PatchOffset;
        if (_bodyEnd - blockStart < SeqDiffLayout.BlockHeaderSize)
        {
            throw new DeltaFormatException($"block {at.BlockIndex} header is truncated", blockStart);
        }

        Span<byte> lengthBytes = stackalloc byte[SeqDiffLayout.BlockHeaderSize];
        patch.Read(blockStart, lengthBytes);
        long packed = BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        long dataStart = blockStart + SeqDiffLayout.BlockHeaderSize;
        if (packed < 5 || packed > _bodyEnd - dataStart)
        {
            throw new DeltaFormatException($"block {at.BlockIndex} length {packed} outside 5..{_bodyEnd - dataStart}", blockStart);
        }

        int outputLength = (int)Math.Min(_blockSize, _header.NewSize - at.OutputOffset);
        _sink = sink;
        _blockOutputStart = at.OutputOffset;
        _produced = 0;
        _flushed = 0;
        _oldBufferLength = 0;
        DecodeBlock(old, patch, dataStart, dataStart + packed, outputLength);
        Flush();

        var next = new SeqDiffCheckpoint(at.BlockIndex + 1, dataStart + packed, at.OutputOffset + outputLength);
        if (next.BlockIndex == _blockCount && next.PatchOffset != _bodyEnd)
        {
            throw new DeltaFormatException($"{_bodyEnd - next.PatchOffset} bytes after the last block", next.PatchOffset);
        }

        Checkpoint = next;
        return true;
    }

    private void DecodeBlock(IRandomAccessSource old, IRandomAccessSource patch, long start, long end, int outputLength)
    {
        Span<ushort> p = _probabilities;
        SeqDiffLayout.ResetProbabilities(p);
        var rc = _decoder;
        rc.Begin(patch, start, end);
        long oldSize = _header.OldSize;
        ulong oldPos = rc.DecodeNumber(p, SeqDiffLayout.NumOldPosition);
        if (oldPos > (ulong)oldSize)
        {
            throw Corrupt($"block old position {oldPos} beyond old size {oldSize}");
        }

        bool previousWasMatch = false;
        int lastDistance = 0;
        while (_produced < outputLength)
        {
            ulong diffLength = rc.DecodeNumber(p, SeqDiffLayout.NumDiffLength);
            if (diffLength > (ulong)(outputLength - _produced) || oldPos + diffLength > (ulong)oldSize)
            {
                throw Corrupt($"diff length {diffLength} overruns the block or the old image");
            }

            DecodeDiff(old, (long)oldPos, (int)diffLength);
            oldPos += diffLength;

            ulong extraLength = rc.DecodeNumber(p, SeqDiffLayout.NumExtraLength);
            if (extraLength > (ulong)(outputLength - _produced))
            {
                throw Corrupt($"extra length {extraLength} overruns the block");
            }

            if (diffLength == 0 && extraLength == 0)
            {
                throw Corrupt("operation produces no bytes");
            }

            DecodeExtra((int)extraLength, ref previousWasMatch, ref lastDistance);
            long adjust = SeqDiffLayout.UnZigZag(rc.DecodeNumber(p, SeqDiffLayout.NumAdjust));
            long moved = (long)oldPos + adjust;
            if (moved < 0 || moved > oldSize)
            {
                throw Corrupt($"old position adjustment {adjust} leaves the old image");
            }

            oldPos = (ulong)moved;
        }
    }

    private void DecodeDiff(IRandomAccessSource old, long oldPos, int length)
    {
        Span<ushort> p = _probabilities;
        var rc = _decoder;
        int previousOld = 0;
        int previousChanged = 0;
        for (int i = 0; i < length; i++)
        {
            byte oldByte = OldByte(old, oldPos + i);
            int flag = SeqDiffLayout.DiffFlagOffset + (previousOld << 1) + previousChanged;
            if (rc.DecodeBit(p, flag) == 0)
            {
                Emit(oldByte);
                previousChanged = 0;
            }
            else
            {
                int delta = rc.DecodeTree(p, SeqDiffLayout.DiffLiteralOffset + (previousChanged * 256) - 1, 8);
                Emit((byte)(oldByte + delta));
                previousChanged = 1;
            }

            previousOld = oldByte;
        }
    }

    private void DecodeExtra(int length, ref bool previousWasMatch, ref int lastDistance)
    {
        Span<ushort> p = _probabilities;
        var rc = _decoder;
        int j = 0;
        while (j < length)
        {
            int state = previousWasMatch ? 1 : 0;
            if (rc.DecodeBit(p, SeqDiffLayout.IsMatchOffset + state) == 0)
            {
                int previous = _produced > 0 ? _window[(_produced - 1) & _windowMask] : 0;
                int context = previous >> SeqDiffLayout.ExtraLiteralContextShift;
                Emit((byte)rc.DecodeTree(p, SeqDiffLayout.ExtraLiteralOffset + (context * 256) - 1, 8));
                j++;
                previousWasMatch = false;
                continue;
            }

            int distance;
            if (rc.DecodeBit(p, SeqDiffLayout.IsRepOffset + state) == 1)
            {
                distance = lastDistance;
            }
            else
            {
                ulong coded = rc.DecodeNumber(p, SeqDiffLayout.NumMatchDistance);
                distance = coded >= (ulong)_window.Length ? int.MaxValue : (int)coded + 1;
            }

            ulong length64 = rc.DecodeNumber(p, SeqDiffLayout.NumMatchLength) + SeqDiffLayout.MinMatch;
            if (distance <= 0 || distance > _produced || distance > _window.Length)
            {
                throw Corrupt($"match distance {distance} outside the window ({Math.Min(_produced, _window.Length)} bytes)");
            }

            if (length64 > (ulong)(length - j))
            {
                throw Corrupt($"match length {length64} overruns the extra segment");
            }

            for (int k = 0; k < (int)length64; k++)
            {
                Emit(_window[(_produced - distance) & _windowMask]);
            }

            j += (int)length64;
            lastDistance = distance;
            previousWasMatch = true;
        }
    }

    private byte OldByte(IRandomAccessSource old, long position)
    {
        long index = position - _oldBufferStart;
        if (index < 0 || index >= _oldBufferLength)
        {
            _oldBufferStart = position;
            _oldBufferLength = (int)Math.Min(_oldBuffer.Length, _header.OldSize - position);
            old.Read(position, _oldBuffer.AsSpan(0, _oldBufferLength));
            index = 0;
        }

        return _oldBuffer[index];
    }

    private void Emit(byte value)
    {
        _window[_produced & _windowMask] = value;
        _produced++;
        if ((_produced & _windowMask) == 0)
        {
            Flush();
        }
    }

    /// <summary>Writes the window bytes produced since the last flush (the window doubles as the write buffer).</summary>
    private void Flush()
    {
        int pending = _produced - _flushed;
        if (pending == 0)
        {
            return;
        }

        int from = _flushed & _windowMask;
        _sink!.Write(_blockOutputStart + _flushed, _window.AsSpan(from, pending));
        _flushed = _produced;
    }

    private DeltaFormatException Corrupt(string reason) => new(reason, _decoder.Position);
}
