using System.Diagnostics.CodeAnalysis;

namespace AtymSecure.Formats.Container;

/// <summary>
/// A Semantic Versioning 2.0.0 version (https://semver.org/spec/v2.0.0.html), parsed strictly: no leading
/// 'v', no leading zeros in numeric parts, no empty identifiers. <see cref="CompareTo"/> is SemVer
/// precedence (§11: build metadata ignored); <see cref="Equals(SemanticVersion)"/> compares every part,
/// build metadata included, so <c>1.0.0+a</c> and <c>1.0.0+b</c> are unequal but of equal precedence.
/// The one version type of containers, bundles and devices: at most <see cref="MaxLength"/> characters, the
/// fixed field a device's state record v2 stores it in (device-bootloader/README.md "State records"), so a
/// version that passes here also fits every device.
/// </summary>
public sealed class SemanticVersion : IComparable<SemanticVersion>, IEquatable<SemanticVersion>
{
    /// <summary>Longest version text (ASCII): the width of the version field of a state record v2.</summary>
    public const int MaxLength = 64;

    private SemanticVersion(ulong major, ulong minor, ulong patch, IReadOnlyList<string> prerelease, IReadOnlyList<string> build)
    {
        Major = major;
        Minor = minor;
        Patch = patch;
        Prerelease = prerelease;
        Build = build;
    }

    public ulong Major { get; }

    public ulong Minor { get; }

    public ulong Patch { get; }

    /// <summary>Dot-separated pre-release identifiers (§9), empty for a release.</summary>
    public IReadOnlyList<string> Prerelease { get; }

    /// <summary>Dot-separated build metadata identifiers (§10).</summary>
    public IReadOnlyList<string> Build { get; }

    public bool IsPrerelease => Prerelease.Count > 0;

    /// <summary>The release <c>major.minor.patch</c> (no pre-release, no build metadata).</summary>
    public static SemanticVersion Release(ulong major, ulong minor, ulong patch) => new(major, minor, patch, [], []);

    public static SemanticVersion Parse(string? text) =>
        TryParse(text, out var v, out var error) ? v : throw new FormatException($"invalid semantic version '{text}': {error}");

    public static bool TryParse(string? text, [NotNullWhen(true)] out SemanticVersion? version) => TryParse(text, out version, out _);

    public static bool TryParse(string? text, [NotNullWhen(true)] out SemanticVersion? version, out string? error)
    {
        version = null;
        error = Check(text, out var major, out var minor, out var patch, out var pre, out var build);
        if (error is not null) return false;
        version = new SemanticVersion(major, minor, patch, pre, build);
        return true;
    }

    private static string? Check(string? text, out ulong major, out ulong minor, out ulong patch, out string[] pre, out string[] build)
    {
        major = minor = patch = 0;
        pre = build = [];
        if (string.IsNullOrEmpty(text)) return "empty";
        if (text.Length > MaxLength) return $"longer than {MaxLength} characters";
        var rest = text;
        var plus = rest.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            build = rest[(plus + 1)..].Split('.');
            rest = rest[..plus];
            foreach (var id in build)
            {
                if (id.Length == 0) return "empty build metadata identifier";
                if (!id.All(IsIdentifierChar)) return $"build metadata identifier '{id}' has characters outside [0-9A-Za-z-]";
            }
        }
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            pre = rest[(dash + 1)..].Split('.');
            rest = rest[..dash];
            foreach (var id in pre)
            {
                if (id.Length == 0) return "empty pre-release identifier";
                if (!id.All(IsIdentifierChar)) return $"pre-release identifier '{id}' has characters outside [0-9A-Za-z-]";
                if (id.All(char.IsAsciiDigit) && id.Length > 1 && id[0] == '0') return $"numeric pre-release identifier '{id}' has a leading zero";
            }
        }
        var core = rest.Split('.');
        if (core.Length != 3) return "must be MAJOR.MINOR.PATCH";
        string[] names = ["major", "minor", "patch"];
        var values = new ulong[3];
        for (var i = 0; i < 3; i++)
        {
            var part = core[i];
            if (part.Length == 0 || !part.All(char.IsAsciiDigit)) return $"{names[i]} '{part}' is not a non-negative integer";
            if (part.Length > 1 && part[0] == '0') return $"{names[i]} '{part}' has a leading zero";
            if (!ulong.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
                return $"{names[i]} '{part}' is too large";
        }
        (major, minor, patch) = (values[0], values[1], values[2]);
        return null;
    }

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-';

    /// <summary>SemVer §11 precedence.</summary>
    public int CompareTo(SemanticVersion? other)
    {
        if (other is null) return 1;
        var c = Major.CompareTo(other.Major);
        if (c == 0) c = Minor.CompareTo(other.Minor);
        if (c == 0) c = Patch.CompareTo(other.Patch);
        if (c != 0) return c;
        if (Prerelease.Count == 0) return other.Prerelease.Count == 0 ? 0 : 1;
        if (other.Prerelease.Count == 0) return -1;
        for (var i = 0; i < Math.Min(Prerelease.Count, other.Prerelease.Count); i++)
        {
            c = CompareIdentifier(Prerelease[i], other.Prerelease[i]);
            if (c != 0) return c;
        }
        return Prerelease.Count.CompareTo(other.Prerelease.Count);
    }

    private static int CompareIdentifier(string a, string b)
    {
        var aNumeric = a.All(char.IsAsciiDigit);
        var bNumeric = b.All(char.IsAsciiDigit);
        if (aNumeric && bNumeric)
        {
            // No leading zeros, so the longer number is the larger; same length compares ordinally.
            var byLength = a.Length.CompareTo(b.Length);
            return byLength != 0 ? byLength : string.CompareOrdinal(a, b) switch { < 0 => -1, > 0 => 1, _ => 0 };
        }
        if (aNumeric) return -1;
        if (bNumeric) return 1;
        return Math.Sign(string.CompareOrdinal(a, b));
    }

    public bool Equals(SemanticVersion? other) =>
        other is not null && CompareTo(other) == 0 && Prerelease.SequenceEqual(other.Prerelease) && Build.SequenceEqual(other.Build);

    public override bool Equals(object? obj) => Equals(obj as SemanticVersion);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    public override string ToString()
    {
        var s = $"{Major}.{Minor}.{Patch}";
        if (Prerelease.Count > 0) s += "-" + string.Join('.', Prerelease);
        if (Build.Count > 0) s += "+" + string.Join('.', Build);
        return s;
    }

    public static bool operator ==(SemanticVersion? a, SemanticVersion? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(SemanticVersion? a, SemanticVersion? b) => !(a == b);

    public static bool operator <(SemanticVersion? a, SemanticVersion? b) => Compare(a, b) < 0;

    public static bool operator >(SemanticVersion? a, SemanticVersion? b) => Compare(a, b) > 0;

    public static bool operator <=(SemanticVersion? a, SemanticVersion? b) => Compare(a, b) <= 0;

    public static bool operator >=(SemanticVersion? a, SemanticVersion? b) => Compare(a, b) >= 0;

    private static int Compare(SemanticVersion? a, SemanticVersion? b) => a is null ? (b is null ? 0 : -1) : a.CompareTo(b);
}
