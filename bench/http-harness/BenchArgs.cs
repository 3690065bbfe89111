using System.Globalization;

namespace AtymSecure.Bench.Http;

/// <summary>The benches' command line: <c>--name VALUE</c> pairs, each optional with a default.</summary>
public static class BenchArgs
{
    /// <summary>The integer after <paramref name="name"/>, or <paramref name="fallback"/> when it is not given.</summary>
    public static int Int(string[] args, string name, int fallback) => Text(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The value after <paramref name="name"/>, or null when it is not given.</summary>
    public static string? Text(string[] args, string name)
    {
        ArgumentNullException.ThrowIfNull(args);
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
