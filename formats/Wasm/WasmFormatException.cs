namespace AtymSecure.Formats.Wasm;

/// <summary>
/// A Wasm binary that is malformed, unsupported or over a size limit. <see cref="Offset"/> is the byte
/// offset in the module where the problem was found (-1 when it concerns the whole module).
/// </summary>
public sealed class WasmFormatException : FormatException
{
    public WasmFormatException(string reason, long offset)
        : base(offset >= 0 ? $"invalid wasm module at byte {offset}: {reason}" : $"invalid wasm module: {reason}")
    {
        Reason = reason;
        Offset = offset;
    }

    public WasmFormatException()
        : this("unspecified", -1)
    {
    }

    public WasmFormatException(string message)
        : this(message, -1)
    {
    }

    public WasmFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
        Offset = -1;
    }

    public string Reason { get; } = "";

    public long Offset { get; }
}
