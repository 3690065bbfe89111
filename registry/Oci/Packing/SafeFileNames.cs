namespace AtymSecure.Oci.Packing;

/// <summary>
/// Checks file names taken from artifacts (layer <c>org.opencontainers.image.title</c>) before
/// anything is written: relative, '/'-separated, no '.', '..', empty or control-character
/// segments, no backslashes or drive letters, and the result must stay inside the output folder
/// without passing through a symbolic link.
/// </summary>
public static class SafeFileNames
{
    public const int MaxLength = 4096;
    public const int MaxSegmentLength = 255;

    /// <summary>Null when <paramref name="title"/> is safe, else why not.</summary>
    public static string? Problem(string? title)
    {
        if (string.IsNullOrEmpty(title)) return "empty name";
        if (title.Length > MaxLength) return $"longer than {MaxLength} characters";
        if (title.Any(c => char.IsControl(c))) return "contains control characters";
        if (title.Contains('\\', StringComparison.Ordinal)) return "contains a backslash";
        if (title.Contains(':', StringComparison.Ordinal)) return "contains ':' (drive letters and streams are not allowed)";
        if (title.StartsWith('/')) return "is an absolute path";
        foreach (var segment in title.Split('/'))
        {
            if (segment.Length == 0) return "has an empty path segment";
            if (segment is "." or "..") return $"has a '{segment}' path segment";
            if (segment.Length > MaxSegmentLength) return $"has a segment longer than {MaxSegmentLength} characters";
        }
        return null;
    }

    /// <summary>The full path of <paramref name="title"/> under <paramref name="root"/>; throws <see cref="UnsafeFileNameException"/>.</summary>
    public static string Resolve(string root, string title)
    {
        if (Problem(title) is { } problem) throw new UnsafeFileNameException($"refusing file name '{Printable(title)}': {problem}");
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var full = Path.GetFullPath(Path.Combine(fullRoot, title));
        if (!full.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new UnsafeFileNameException($"refusing file name '{Printable(title)}': resolves outside {fullRoot}");
        // An existing symlink on the way could redirect the write elsewhere.
        for (var dir = Path.GetDirectoryName(full); dir is not null && dir.Length > fullRoot.Length; dir = Path.GetDirectoryName(dir))
            if (Directory.Exists(dir) && new DirectoryInfo(dir).LinkTarget is not null)
                throw new UnsafeFileNameException($"refusing file name '{Printable(title)}': {dir} is a symbolic link");
        if (File.Exists(full) && new FileInfo(full).LinkTarget is not null)
            throw new UnsafeFileNameException($"refusing file name '{Printable(title)}': {full} is a symbolic link");
        return full;
    }

    private static string Printable(string? s) =>
        s is null ? "" : new string([.. s.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
}
