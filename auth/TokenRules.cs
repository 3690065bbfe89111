namespace AtymSecure.Auth;

/// <summary>
/// Who issues a kind of token, for whom, and for how long: a token is accepted only with exactly this
/// issuer and audience, within its lifetime give or take <see cref="ClockSkew"/> (bounded, so a
/// misconfiguration cannot stretch an expired token's life).
/// </summary>
public sealed record TokenRules
{
    /// <summary>Largest clock difference between issuer and checker tolerated.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public TokenRules(string issuer, string audience, TimeSpan lifetime, TimeSpan? clockSkew = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        var skew = clockSkew ?? TimeSpan.FromSeconds(30);
        if (lifetime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "a token lifetime is positive");
        if (skew < TimeSpan.Zero || skew > MaxClockSkew)
            throw new ArgumentOutOfRangeException(nameof(clockSkew), skew, $"clock skew must be between 0 and {MaxClockSkew}");
        Issuer = issuer;
        Audience = audience;
        Lifetime = lifetime;
        ClockSkew = skew;
    }

    public string Issuer { get; }
    public string Audience { get; }
    public TimeSpan Lifetime { get; }
    public TimeSpan ClockSkew { get; }
}
