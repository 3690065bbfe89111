namespace AtymSecure.Signer.Keys;

/// <summary>
/// Where a key passphrase comes from: an environment variable (for CI) or, when it is unset, a
/// prompt callback supplied by the CLI. Never from a command-line argument, which leaks into ps.
/// </summary>
public sealed class PassphraseSource
{
    public const string DefaultVariable = "ATYM_KEY_PASSPHRASE";

    private readonly string _variable;
    private readonly Func<string>? _prompt;
    private readonly string? _fixed;

    private PassphraseSource(string variable, Func<string>? prompt, string? fixedValue)
    {
        _variable = variable;
        _prompt = prompt;
        _fixed = fixedValue;
    }

    /// <summary>Reads <paramref name="variable"/>; falls back to <paramref name="prompt"/> when it is unset.</summary>
    public static PassphraseSource FromEnvironment(string variable = DefaultVariable, Func<string>? prompt = null) =>
        new(variable, prompt, null);

    /// <summary>A passphrase already known to the caller (tests, or a value read from a secret store).</summary>
    public static PassphraseSource FromValue(string passphrase)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        return new PassphraseSource(DefaultVariable, null, passphrase);
    }

    /// <summary>The passphrase; throws <see cref="KeyFileException"/> when none is available.</summary>
    public string Get()
    {
        if (_fixed is not null) return _fixed;
        var fromEnv = Environment.GetEnvironmentVariable(_variable);
        if (fromEnv is not null) return fromEnv;
        if (_prompt is not null) return _prompt();
        throw new KeyFileException($"no passphrase for the private key: set {_variable} or run interactively");
    }
}
