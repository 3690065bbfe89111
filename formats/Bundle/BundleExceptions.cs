namespace AtymSecure.Formats.Bundle;

/// <summary>The bytes are not a well-formed bundle of a version we read.</summary>
public sealed class BundleFormatException : FormatException
{
    public BundleFormatException(string message) : base(message) { }

    public BundleFormatException(IReadOnlyList<string> errors)
        : base("invalid bundle header: " + string.Join("; ", errors)) => Errors = errors;

    public IReadOnlyList<string> Errors { get; } = [];
}

/// <summary>Why a well-formed bundle is refused.</summary>
public enum BundleRejection
{
    NoTrustedSignature,
    Expired,
    WrongDeviceClass,
    CounterTooLow,
    BaseMismatch,
    TooLarge,
    ChunkHashMismatch,
    TargetDigestMismatch,
    Truncated,
}

/// <summary>A well-formed bundle that must not be installed; <see cref="Reason"/> says which check failed.</summary>
public sealed class BundleVerificationException(BundleRejection reason, string message) : Exception(message)
{
    public BundleRejection Reason { get; } = reason;
}
