namespace AtymSecure.Bootloader.State;

/// <summary>Version of a container image as recorded on flash (major.minor.patch).</summary>
public readonly record struct ImageVersion(ushort Major, ushort Minor, uint Patch) : IComparable<ImageVersion>
{
    public int CompareTo(ImageVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major)
        : Minor != other.Minor ? Minor.CompareTo(other.Minor)
        : Patch.CompareTo(other.Patch);

    public static bool operator <(ImageVersion a, ImageVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(ImageVersion a, ImageVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(ImageVersion a, ImageVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(ImageVersion a, ImageVersion b) => a.CompareTo(b) >= 0;

    /// <summary>Parses "major.minor.patch" (each part a non-negative integer in range).</summary>
    public static ImageVersion Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('.');
        if (parts.Length != 3
            || !ushort.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major)
            || !ushort.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minor)
            || !uint.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var patch))
            throw new FormatException($"'{text}' is not a version of the form major.minor.patch");
        return new ImageVersion(major, minor, patch);
    }

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}
