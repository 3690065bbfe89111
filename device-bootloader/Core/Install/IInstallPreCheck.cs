namespace AtymSecure.Bootloader.Install;

/// <summary>One reason an install is refused. Codes are stable for callers and tests.</summary>
public sealed record InstallProblem(string Code, string Message)
{
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>
/// Authenticity checks that need the bundle's own material (signature over metadata, metadata
/// consistency, expiry), run before anything touches flash. The bundle reader implements this;
/// the installer adds the device-side checks (device class, fit, rollback counter, delta base, state).
/// </summary>
public interface IInstallPreCheck
{
    /// <summary>Every problem with <paramref name="image"/> at time <paramref name="now"/> (empty = acceptable).</summary>
    IReadOnlyList<InstallProblem> Check(IInstallImage image, DateTimeOffset now);
}

/// <summary>The install was refused before any flash write; flash and state are untouched.</summary>
public sealed class InstallRefusedException : Exception
{
    public InstallRefusedException(IReadOnlyList<InstallProblem> problems)
        : base("install refused: " + string.Join("; ", problems)) => Problems = problems;

    public InstallRefusedException() : this(Array.Empty<InstallProblem>()) { }
    public InstallRefusedException(string message) : base(message) => Problems = [new InstallProblem("refused", message)];
    public InstallRefusedException(string message, Exception inner) : base(message, inner) => Problems = [new InstallProblem("refused", message)];

    public IReadOnlyList<InstallProblem> Problems { get; }

    public bool Has(string code) => Problems.Any(p => p.Code == code);
}

/// <summary>
/// What was written did not read back as the declared image (size or SHA-256). The slot is left
/// marked as installing, so it is never booted; the confirmed image keeps running.
/// </summary>
public sealed class InstallVerificationException : Exception
{
    public InstallVerificationException(string message) : base(message) { }
    public InstallVerificationException() { }
    public InstallVerificationException(string message, Exception inner) : base(message, inner) { }
}
