namespace AtymSecure.Formats.Bundle;

/// <summary>
/// The envelope parser (<see cref="BundleEnvelopeParser"/>, the one copy of the rules) fed with bytes as they arrive,
/// for a reader that does not own a stream — a download writing each block to disk as it comes. Same limits and
/// errors as <see cref="BundleEnvelope.Read"/>; memory use is the prefix itself.
/// </summary>
public sealed class BundleEnvelopeFeed
{
    private readonly BundleEnvelopeParser _parser = new();
    private int _filled;

    /// <summary>The parsed (not verified) envelope once its last byte was fed; null before.</summary>
    public BundleEnvelope? Result { get; private set; }

    /// <summary>Consumes bytes of the prefix and returns how many it used: all of them until the envelope is complete, then
    /// fewer (the rest is payload).</summary>
    /// <exception cref="BundleFormatException">The prefix is malformed or over a limit.</exception>
    public int Feed(ReadOnlySpan<byte> bytes)
    {
        var used = 0;
        while (Result is null && used < bytes.Length)
        {
            var buffer = _parser.Next()!.Value;
            var n = Math.Min(buffer.Length - _filled, bytes.Length - used);
            bytes.Slice(used, n).CopyTo(buffer.Span[_filled..]);
            _filled += n;
            used += n;
            if (_filled < buffer.Length) break;
            _parser.Accept(_filled);
            _filled = 0;
            if (_parser.Next() is null) Result = _parser.Result;
        }
        return used;
    }
}
