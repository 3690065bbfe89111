using System.Buffers.Binary;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// The envelope rules of docs/bundle-format.md#layout as a pull parser: <see cref="Next"/> hands out the buffer the
/// next part goes into (its size already checked against the limits), the reader fills it from its stream however
/// it reads (blocking or async), and <see cref="Accept"/> checks the part before the next size is trusted. One copy
/// of the rules for both <see cref="BundleEnvelope.Read"/> and <see cref="BundleEnvelope.ReadAsync"/>.
/// </summary>
internal sealed class BundleEnvelopeParser
{
    private enum Part { Frame, Header, SignatureBlockLength, SignatureBlock, Done }

    private Part _part = Part.Frame;
    private Memory<byte> _buffer = new byte[BundleLayout.PrefixBytes];
    private byte[] _signed = [];
    private BundleHeader? _header;
    private ushort _version;
    private BundleEnvelope? _result;

    /// <summary>The parsed envelope, once <see cref="Next"/> returned null.</summary>
    public BundleEnvelope Result => _result ?? throw new InvalidOperationException("the envelope is not complete");

    /// <summary>The buffer to fill completely before calling <see cref="Accept"/>; null when the envelope is complete.</summary>
    public Memory<byte>? Next()
    {
        // Not a conditional expression: null would convert to an empty Memory<byte> through byte[].
        if (_part == Part.Done) return null;
        return _buffer;
    }

    /// <summary>Checks the part just read into the buffer of <see cref="Next"/>; <paramref name="read"/> short of its length means the stream ended.</summary>
    public void Accept(int read)
    {
        if (read < _buffer.Length)
            throw new BundleFormatException(Path(_part), $"bundle is truncated in the {What(_part)} ({read} of {_buffer.Length} bytes)");
        switch (_part)
        {
            case Part.Frame:
                var headerLength = CheckFrame(_buffer.Span, out _version);
                _signed = new byte[BundleLayout.PrefixBytes + headerLength];
                _buffer.CopyTo(_signed);
                Expect(Part.Header, _signed.AsMemory(BundleLayout.PrefixBytes));
                break;
            case Part.Header:
                _header = BundleHeaderCodec.Decode(_buffer.Span);
                // One encoding per header: the Recovery tag only in a version-2 frame, and a version-2 frame only with it.
                if (_header.FormatVersion != _version)
                    throw new BundleFormatException("frame", _header.Recovery
                        ? $"a recovery bundle is format {BundleLayout.RecoveryFormatVersion}, this frame says {_version}"
                        : $"a format-{_version} frame whose header uses nothing of format {_version} (it is written as format {_header.FormatVersion})");
                Expect(Part.SignatureBlockLength, new byte[4]);
                break;
            case Part.SignatureBlockLength:
                var signatureLength = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Span);
                if (signatureLength == 0 || signatureLength > BundleLayout.MaxSignatureBlockBytes)
                    throw new BundleFormatException("signatures", $"signature block length {signatureLength} outside 1..{BundleLayout.MaxSignatureBlockBytes}");
                Expect(Part.SignatureBlock, new byte[signatureLength]);
                break;
            case Part.SignatureBlock:
                var signatures = BundleSignature.DecodeBlock(_buffer.Span);
                _result = new BundleEnvelope(_header!, signatures, _signed) { PayloadOffset = _signed.Length + 4L + _buffer.Length };
                Expect(Part.Done, Memory<byte>.Empty);
                break;
            default:
                throw new InvalidOperationException("the envelope is already complete");
        }
    }

    /// <summary>Magic, version, reserved bytes and the header length (within its limit, before anything is allocated for it).</summary>
    private static uint CheckFrame(ReadOnlySpan<byte> prefix, out ushort version)
    {
        if (!prefix[..8].SequenceEqual(BundleLayout.Magic)) throw new BundleFormatException("frame", "not an AtymSecure bundle (bad magic)");
        version = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
        if (version is < BundleLayout.FirstFormatVersion or > BundleLayout.LatestFormatVersion)
            throw new BundleFormatException("frame", $"bundle format version {version} is not supported (this reader knows {BundleLayout.FirstFormatVersion} to {BundleLayout.LatestFormatVersion})");
        if (BinaryPrimitives.ReadUInt16LittleEndian(prefix[10..]) != 0) throw new BundleFormatException("frame", "reserved frame bytes are not zero");
        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(prefix[12..]);
        if (headerLength == 0 || headerLength > BundleLayout.MaxHeaderBytes)
            throw new BundleFormatException("frame", $"header length {headerLength} outside 1..{BundleLayout.MaxHeaderBytes}");
        return headerLength;
    }

    private void Expect(Part part, Memory<byte> buffer)
    {
        _part = part;
        _buffer = buffer;
    }

    private static string Path(Part part) => part switch
    {
        Part.Frame => "frame",
        Part.Header => "header",
        _ => "signatures",
    };

    private static string What(Part part) => part switch
    {
        Part.Frame => "frame",
        Part.Header => "header",
        Part.SignatureBlockLength => "signature block length",
        _ => "signature block",
    };
}
