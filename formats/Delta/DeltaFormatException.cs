namespace AtymSecure.Formats.Delta;

/// <summary>
/// A delta patch that is malformed, truncated, over a size limit or internally inconsistent.
/// <see cref="Offset"/> is the byte offset in the patch where the problem was found (-1 when it
/// concerns the whole patch). See formats/Delta/README.md.
/// </summary>
public sealed class DeltaFormatException : FormatException
{
    public DeltaFormatException(string reason, long offset)
        : base(offset >= 0 ? $"invalid delta patch at byte {offset}: {reason}" : $"invalid delta patch: {reason}")
    {
        Reason = reason;
        Offset = offset;
    }

    public DeltaFormatException()
        : this("unspecified", -1)
    {
    }

    public DeltaFormatException(string message)
        : this(message, -1)
    {
    }

    public DeltaFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
        Offset = -1;
    }

    public string Reason { get; } = "";

    public long Offset { get; }
}
