namespace AtymSecure.Bootloader.State;

/// <summary>Bytes that are not a valid state record (torn, noise, forged or from another format).</summary>
public sealed class StateRecordException : Exception
{
    public StateRecordException(string message) : base(message) { }
    public StateRecordException() { }
    public StateRecordException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The state log could not make a record durable (every retry read back wrong).</summary>
public sealed class StateWriteException : Exception
{
    public StateWriteException(string message) : base(message) { }
    public StateWriteException() { }
    public StateWriteException(string message, Exception inner) : base(message, inner) { }
}
