namespace AtymSecure.Signer.Keys;

/// <summary>A key file that cannot be read or written: wrong passphrase, malformed, unsupported or too large.</summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException(string message) : base(message) { }
    public KeyFileException(string message, Exception inner) : base(message, inner) { }
}
