using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Formats;

namespace AtymSecure.Bootloader.Install;

/// <summary>
/// Write-only stream into an erased slot: buffers to whole program chunks (a multiple of the
/// write alignment), programs them front to back, pads the last unit with the erased value, and
/// refuses to go past the declared image size (a decoder must not overrun the slot).
/// </summary>
public sealed class SlotWriteStream : Stream
{
    private readonly IFlash _flash;
    private readonly Partition _slot;
    private readonly long _limit;
    private readonly byte[] _buffer;
    private int _buffered;
    private long _flushedBytes;

    public SlotWriteStream(IFlash flash, Partition slot, long limit, int chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(flash);
        ArgumentNullException.ThrowIfNull(slot);
        var align = flash.Geometry.WriteAlignment;
        if (chunkBytes <= 0 || chunkBytes % align != 0)
            throw new ArgumentOutOfRangeException(nameof(chunkBytes), chunkBytes, $"chunk must be a positive multiple of the write alignment {align}");
        if (limit > slot.Size) throw new ArgumentOutOfRangeException(nameof(limit), limit, $"limit exceeds the slot ({slot.Size} bytes)");
        _flash = flash;
        _slot = slot;
        _limit = limit;
        _buffer = new byte[chunkBytes];
    }

    /// <summary>Bytes accepted so far.</summary>
    public long Written => _flushedBytes + _buffered;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException("a slot is written front to back");
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Written + buffer.Length > _limit)
            throw new InstallVerificationException(ReasonCodes.ImageMismatch, "targetSize", $"image producer wrote past the declared size of {_limit} bytes");
        while (buffer.Length > 0)
        {
            var n = Math.Min(buffer.Length, _buffer.Length - _buffered);
            buffer[..n].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += n;
            buffer = buffer[n..];
            if (_buffered == _buffer.Length) ProgramBuffer();
        }
    }

    /// <summary>Programs what is buffered, padding the last write unit; call once at the end.</summary>
    public override void Flush()
    {
        if (_buffered == 0) return;
        var align = _flash.Geometry.WriteAlignment;
        var padded = (_buffered + align - 1) / align * align;
        _buffer.AsSpan(_buffered, padded - _buffered).Fill(_flash.Geometry.ErasedValue);
        _flash.Program(_slot.Offset + _flushedBytes, _buffer.AsSpan(0, padded));
        _flushedBytes += _buffered;
        _buffered = 0;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void ProgramBuffer()
    {
        _flash.Program(_slot.Offset + _flushedBytes, _buffer);
        _flushedBytes += _buffer.Length;
        _buffered = 0;
    }
}
