namespace AtymSecure.Runtime.Artifacts;

/// <summary>The bytes are not the ones the signed metadata describes (or the metadata is unusable).</summary>
public sealed class ArtifactVerificationException : Exception
{
    public ArtifactVerificationException(string message) : base(message) { }
    public ArtifactVerificationException(string message, Exception inner) : base(message, inner) { }
    public ArtifactVerificationException() { }
}

/// <summary>Verified precompiled code that this engine cannot load (other target, features or settings).</summary>
public sealed class ArtifactIncompatibleException : Exception
{
    public ArtifactIncompatibleException(string message) : base(message) { }
    public ArtifactIncompatibleException(string message, Exception inner) : base(message, inner) { }
    public ArtifactIncompatibleException() { }
}
