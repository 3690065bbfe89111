using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Install;

/// <summary>
/// Authenticity checks that need the bundle's own material (signature over metadata, metadata
/// consistency, expiry), run before anything touches flash. The bundle reader implements this;
/// the installer adds the device-side checks (<see cref="DeviceInstallChecks"/>: device class, fit, security counter, delta base, state).
/// Problem codes are <see cref="AtymSecure.Formats.ReasonCodes"/>.
/// </summary>
public interface IInstallPreCheck
{
    /// <summary>Every problem with <paramref name="image"/> at time <paramref name="now"/> (empty = acceptable).</summary>
    IReadOnlyList<Problem> Check(IInstallImage image, DateTimeOffset now);
}

/// <summary>The install was refused before any flash write; flash and state are untouched. <see cref="ProblemException.Problems"/> says why.</summary>
public sealed class InstallRefusedException : ProblemException
{
    public InstallRefusedException(IReadOnlyList<Problem> problems)
        : base("install refused", problems)
    {
    }
}

/// <summary>
/// What was written did not read back as the declared image (size or SHA-256), or the payload failed on the way in. The
/// slot is left marked as installing, so it is never booted; the confirmed image keeps running. Each problem has a
/// <see cref="AtymSecure.Formats.ReasonCodes"/> code: <c>image-mismatch</c> (read-back digest or size, a delta that
/// produces another image), <c>chunk-mismatch</c> / <c>truncated</c> (the payload's own), <c>delta-without-base</c>,
/// <c>bundle-malformed</c> (an undecodable delta).
/// </summary>
public sealed class InstallVerificationException : ProblemException
{
    private const string Heading = "install failed verification";

    public InstallVerificationException(string code, string path, string message, Exception? inner = null)
        : base(Heading, [new Problem(code, path, message)], inner) { }

    public InstallVerificationException(IReadOnlyList<Problem> problems, Exception? inner = null) : base(Heading, problems, inner) { }

    public InstallVerificationException(string message) : base(message) { }

    public InstallVerificationException() : base(Heading) { }

    public InstallVerificationException(string message, Exception inner) : base(message, inner) { }
}
