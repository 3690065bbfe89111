using System.Security.Cryptography;
using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// Step 11: the bytes of a target as they arrive, never more than its signed length. Reading past the length, or a
/// source that still has bytes after it, is <c>length-exceeded</c> (endless data); reaching the end with another
/// SHA-256 or fewer bytes is <c>target-mismatch</c>. The check runs when the last byte is read, so a caller that
/// writes as it reads (an MCU streaming into flash) must treat nothing as final until the stream reported its end.
/// </summary>
public sealed class LengthBoundedDownload : Stream
{
    private readonly Stream _source;
    private readonly string _name;
    private readonly TargetFile _target;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _finished;

    public LengthBoundedDownload(Stream source, string name, TargetFile target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        _source = source;
        _name = name;
        _target = target;
    }

    /// <summary>Reads the whole target into memory through the bounds (Linux classes check the whole file before installing).</summary>
    public static byte[] ReadAll(Stream source, string name, TargetFile target)
    {
        using var bounded = new LengthBoundedDownload(source, name, target);
        using var copy = new MemoryStream((int)Math.Min(target.Length, 1 << 20));
        bounded.CopyTo(copy);
        return copy.ToArray();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_finished || buffer.IsEmpty) return 0;
        var remaining = _target.Length - _read;
        if (remaining == 0)
        {
            Finish();
            return 0;
        }
        var n = _source.Read(buffer[..(int)Math.Min(buffer.Length, remaining)]);
        if (n == 0) throw Refused(ReasonCodes.TargetMismatch, $"ended after {_read} bytes, the signed length is {_target.Length}");
        _hash.AppendData(buffer[..n]);
        _read += n;
        if (_read == _target.Length) Finish();
        return n;
    }

    private void Finish()
    {
        if (_finished) return;
        _finished = true;
        Span<byte> probe = stackalloc byte[1];
        if (_source.Read(probe) != 0) throw Refused(ReasonCodes.LengthExceeded, $"more than the signed {_target.Length} bytes");
        var sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (sha256 != _target.Sha256) throw Refused(ReasonCodes.TargetMismatch, $"sha256 {sha256}, signed {_target.Sha256}");
    }

    private MetadataRefusedException Refused(string code, string detail) =>
        new(new MetadataRefusal(code, "$", detail, File: _name, Step: 11));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _target.Length;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _source.Dispose();
        }
        base.Dispose(disposing);
    }
}
