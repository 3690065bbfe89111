using System.Globalization;

namespace AtymSecure.Registry.Http;

/// <summary>
/// A single byte range from a <c>Range</c> header (RFC 9110 §14.1.2): <c>bytes=a-b</c>, <c>bytes=a-</c>
/// or the suffix form <c>bytes=-n</c>. Several ranges are not supported (the whole blob is served).
/// </summary>
public readonly record struct ByteRange(long Offset, long Length)
{
    public enum Outcome { Whole, Partial, Unsatisfiable }

    /// <summary>Resolves <paramref name="header"/> against a blob of <paramref name="size"/> bytes.</summary>
    public static Outcome Resolve(string? header, long size, out ByteRange range)
    {
        range = new ByteRange(0, size);
        if (string.IsNullOrWhiteSpace(header)) return Outcome.Whole;
        var text = header.Trim();
        if (!text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return Outcome.Unsatisfiable;
        text = text[6..].Trim();
        if (text.Contains(',', StringComparison.Ordinal)) return Outcome.Whole;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0) return Outcome.Unsatisfiable;
        var first = text[..dash].Trim();
        var last = text[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            if (!TryNumber(last, out var suffix) || suffix == 0 || size == 0) return Outcome.Unsatisfiable;
            var length = Math.Min(suffix, size);
            range = new ByteRange(size - length, length);
            return Outcome.Partial;
        }
        if (!TryNumber(first, out var start) || start >= size) return Outcome.Unsatisfiable;
        long end;
        if (last.Length == 0) end = size - 1;
        else if (!TryNumber(last, out end) || end < start) return Outcome.Unsatisfiable;
        end = Math.Min(end, size - 1);
        range = new ByteRange(start, end - start + 1);
        return Outcome.Partial;
    }

    private static bool TryNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
