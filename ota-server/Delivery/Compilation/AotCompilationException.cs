namespace AtymSecure.Delivery.Compilation;

/// <summary>A compilation failed: the back end rejected the input or a tool step failed.</summary>
public class AotCompilationException : Exception
{
    public AotCompilationException() { }

    public AotCompilationException(string message) : base(message) { }

    public AotCompilationException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A tool a back end needs is not installed; the message names the Debian package that provides it.</summary>
public sealed class AotToolMissingException : AotCompilationException
{
    public AotToolMissingException() { }

    public AotToolMissingException(string message) : base(message) { }

    public AotToolMissingException(string message, Exception inner) : base(message, inner) { }

    public AotToolMissingException(string tool, string debianPackage)
        : base($"required tool '{tool}' was not found on PATH; install the Debian package '{debianPackage}' (apt-get install -y {debianPackage})")
    {
        Tool = tool;
        DebianPackage = debianPackage;
    }

    public string? Tool { get; }

    public string? DebianPackage { get; }
}

/// <summary>A tool is installed in a version whose output this code base does not pin (e.g. wasm2c other than 1.0.32).</summary>
public sealed class AotToolVersionException : AotCompilationException
{
    public AotToolVersionException() { }

    public AotToolVersionException(string message) : base(message) { }

    public AotToolVersionException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The requested target cannot be produced by the chosen back end or on this host.</summary>
public sealed class AotTargetNotSupportedException : AotCompilationException
{
    public AotTargetNotSupportedException() { }

    public AotTargetNotSupportedException(string message) : base(message) { }

    public AotTargetNotSupportedException(string message, Exception inner) : base(message, inner) { }
}
