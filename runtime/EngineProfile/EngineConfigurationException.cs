namespace AtymSecure.Engines;

/// <summary>An engine profile that Wasmtime refuses (unknown target, bad flag) or that is inconsistent.</summary>
public sealed class EngineConfigurationException : Exception
{
    public EngineConfigurationException(string message) : base(message) { }
    public EngineConfigurationException(string message, Exception inner) : base(message, inner) { }
    public EngineConfigurationException() { }
}
