using System.Globalization;

namespace AtymSecure.Container.Build;

/// <summary>Options of <see cref="ContainerBuilder"/>.</summary>
public sealed record BuildOptions
{
    /// <summary>Build time; <see cref="FromEnvironment"/> takes it from SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/).</summary>
    public DateTimeOffset? Created { get; init; }

    public string? Author { get; init; }

    /// <summary>Tag written in the layout's index.json; null uses the container version (with '+' as '_').</summary>
    public string? Tag { get; init; }

    /// <summary>Options from the environment: SOURCE_DATE_EPOCH (seconds since 1970, UTC) when set.</summary>
    public static BuildOptions FromEnvironment() => new() { Created = ParseSourceDateEpoch(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH")) };

    /// <summary>Parses a SOURCE_DATE_EPOCH value; null/empty gives null; anything but a non-negative integer is refused.</summary>
    public static DateTimeOffset? ParseSourceDateEpoch(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
            throw new ContainerBuildException(BuildProblemCodes.InvalidSourceDateEpoch, "SOURCE_DATE_EPOCH",
                $"'{value}' is not a number of seconds since 1970-01-01 (0..253402300799)");
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }
}
