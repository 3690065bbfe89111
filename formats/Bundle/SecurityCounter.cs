using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// The default security counter of a version (docs/bundle-format.md#default-security-counter), shared by the
/// bundle writer and its tests. Devices record the counter in 32 bits, so the default packs
/// <c>major·2^24 + minor·2^16 + patch·2^6 + stage·2^4 + step</c>:
/// <list type="bullet">
/// <item>major, minor ≤ 255, patch ≤ 1023;</item>
/// <item>a release is stage 3, step 15 (the low six bits all set), so it is above every pre-release of it;</item>
/// <item>a pre-release is <c>alpha</c>, <c>beta</c> or <c>rc</c> (stage 0, 1, 2), alone (step 0) or followed by
/// one number n ≤ 14 (step n + 1): <c>2.0.0-rc</c> &lt; <c>2.0.0-rc.0</c> &lt; … &lt; <c>2.0.0-rc.14</c> &lt; <c>2.0.0</c>;</item>
/// <item>build metadata is ignored, as SemVer precedence ignores it.</item>
/// </list>
/// Within that range the counter order is exactly SemVer precedence (one counter per precedence class); any
/// other version is refused with the reason and must be given a counter explicitly. Every release counter is at
/// least the one the earlier formula (<c>major·2^24 + minor·2^16 + patch</c>) gave it, so a device whose floor
/// came from it keeps accepting the same and later releases.
/// </summary>
public static class SecurityCounter
{
    public const ulong DeviceMaximum = uint.MaxValue;

    public const ulong MaxMajor = 255;
    public const ulong MaxMinor = 255;
    public const ulong MaxPatch = 1023;

    /// <summary>Largest n in <c>alpha.n</c>, <c>beta.n</c>, <c>rc.n</c>.</summary>
    public const int MaxPrereleaseNumber = 14;

    /// <summary>Problem code of a version the default cannot encode.</summary>
    public const string NotEncodableCode = "counter-not-encodable";

    private static readonly string[] Stages = ["alpha", "beta", "rc"];
    private const ulong ReleaseBits = 0b11_1111;

    /// <exception cref="ProblemException">The version is outside the encodable range (the problem says which part); pass a counter explicitly.</exception>
    public static ulong DefaultFor(SemanticVersion version) =>
        TryDefaultFor(version, out var counter, out var problem) ? counter : throw new ProblemException("version for a default security counter", problem);

    public static bool TryDefaultFor(SemanticVersion version, out ulong counter, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out Problem? problem)
    {
        ArgumentNullException.ThrowIfNull(version);
        counter = 0;
        problem = null;
        string? why = null;
        if (version.Major > MaxMajor || version.Minor > MaxMinor || version.Patch > MaxPatch)
            why = $"the default packs major ≤ {MaxMajor}, minor ≤ {MaxMinor}, patch ≤ {MaxPatch} into the device's 32 bits";
        var low = ReleaseBits;
        if (why is null && version.IsPrerelease && !TryPrereleaseBits(version.Prerelease, out low))
            why = $"the default orders only the pre-releases alpha, beta and rc, alone or followed by one number ≤ {MaxPrereleaseNumber} (e.g. rc.2)";
        if (why is not null)
        {
            problem = new Problem(NotEncodableCode, "version", $"{version}: {why}; give the security counter explicitly");
            return false;
        }
        counter = (version.Major << 24) | (version.Minor << 16) | (version.Patch << 6) | low;
        return true;
    }

    /// <summary>stage·16 + step of an encodable pre-release (see the type's summary).</summary>
    private static bool TryPrereleaseBits(IReadOnlyList<string> identifiers, out ulong bits)
    {
        bits = 0;
        var stage = Array.IndexOf(Stages, identifiers[0]);
        if (stage < 0 || identifiers.Count > 2) return false;
        ulong step = 0;
        if (identifiers.Count == 2)
        {
            // SemanticVersion refuses leading zeros, so a short all-digit identifier is a small number.
            var n = identifiers[1];
            if (n.Length > 2 || !n.All(char.IsAsciiDigit)) return false;
            var number = int.Parse(n, System.Globalization.CultureInfo.InvariantCulture);
            if (number > MaxPrereleaseNumber) return false;
            step = (ulong)number + 1;
        }
        bits = ((ulong)stage << 4) | step;
        return true;
    }
}
