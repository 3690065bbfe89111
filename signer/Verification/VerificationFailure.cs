namespace AtymSecure.Signer.Verification;

/// <summary>Why a signature did not verify. Each value has its own exception type below.</summary>
public enum VerificationFailure
{
    /// <summary>No bundle or legacy signature is attached to the artifact.</summary>
    NoSignatureFound = 1,
    /// <summary>The signature does not verify with the key the bundle names (tampered payload or signature).</summary>
    BadSignature,
    /// <summary>The signed statement is about another artifact.</summary>
    SubjectMismatch,
    /// <summary>A message-signature bundle's messageDigest (or a simple-signing digest) is not the artifact's.</summary>
    DigestMismatch,
    /// <summary>No trusted key verifies the signature (signed by someone else), or keyless material we do not trust.</summary>
    UntrustedKey,
    /// <summary>The bundle, envelope, statement or payload does not parse or validate.</summary>
    MalformedBundle,
    /// <summary>A bundle version, hash algorithm or payload type we do not support.</summary>
    UnsupportedMediaType,
}

/// <summary>Base of the typed verification errors; <see cref="Failure"/> says which one.</summary>
public abstract class SignatureVerificationException : Exception
{
    private protected SignatureVerificationException(VerificationFailure failure, string message, Exception? inner = null)
        : base(message, inner) => Failure = failure;

    public VerificationFailure Failure { get; }

    /// <summary>The exception type that belongs to <paramref name="failure"/>.</summary>
    public static SignatureVerificationException Create(VerificationFailure failure, string message, Exception? inner = null) => failure switch
    {
        VerificationFailure.NoSignatureFound => new NoSignatureFoundException(message),
        VerificationFailure.BadSignature => new BadSignatureException(message),
        VerificationFailure.SubjectMismatch => new SubjectMismatchException(message),
        VerificationFailure.DigestMismatch => new DigestMismatchException(message),
        VerificationFailure.UntrustedKey => new UntrustedKeyException(message),
        VerificationFailure.MalformedBundle => new MalformedBundleException(message, inner),
        VerificationFailure.UnsupportedMediaType => new UnsupportedMediaTypeException(message),
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, "unknown failure"),
    };
}

public sealed class NoSignatureFoundException(string message) : SignatureVerificationException(VerificationFailure.NoSignatureFound, message);

public sealed class BadSignatureException(string message) : SignatureVerificationException(VerificationFailure.BadSignature, message);

public sealed class SubjectMismatchException(string message) : SignatureVerificationException(VerificationFailure.SubjectMismatch, message);

public sealed class DigestMismatchException(string message) : SignatureVerificationException(VerificationFailure.DigestMismatch, message);

public sealed class UntrustedKeyException(string message) : SignatureVerificationException(VerificationFailure.UntrustedKey, message);

public sealed class MalformedBundleException(string message, Exception? inner = null)
    : SignatureVerificationException(VerificationFailure.MalformedBundle, message, inner);

public sealed class UnsupportedMediaTypeException(string message) : SignatureVerificationException(VerificationFailure.UnsupportedMediaType, message);
