using System.Globalization;
using System.Text.RegularExpressions;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>
/// What every TUF role's <c>signed</c> object starts with (spec §4.3): <c>_type</c>, <c>spec_version</c>, <c>version</c>
/// and <c>expires</c>. <see cref="Expires"/> holds whole seconds in UTC, the only form TUF writes
/// (<c>YYYY-MM-DDTHH:MM:SSZ</c>).
/// </summary>
public abstract partial record RoleMetadata
{
    /// <summary>The TUF specification version we write; readers accept any 1.x (tuf-js 6 checks the major only).</summary>
    public const string CurrentSpecVersion = "1.0.31";

    private readonly DateTimeOffset _expires;

    public required long Version { get; init; }

    public required DateTimeOffset Expires
    {
        get => _expires;
        init => _expires = WholeSeconds(value);
    }

    public string SpecVersion { get; init; } = CurrentSpecVersion;

    /// <summary>The <c>_type</c> value: root, timestamp, snapshot or targets.</summary>
    public abstract string Type { get; }

    public CanonicalJsonObject ToJson()
    {
        if (Version is < 1 or > CanonicalJsonValue.MaxSafeInteger) throw new InvalidOperationException($"version {Version} is outside 1..2^53-1");
        return CanonicalJsonObject.Of([
            ("_type", Type),
            ("spec_version", SpecVersion),
            ("version", Version),
            ("expires", FormatTime(Expires)),
            .. Body(),
        ]);
    }

    /// <summary>The role's own members after the common header.</summary>
    protected abstract IEnumerable<(string Name, CanonicalJsonValue? Value)> Body();

    /// <summary>True when this document counts as expired at <paramref name="now"/>, allowing <paramref name="skew"/> of clock error.</summary>
    public bool IsExpired(DateTimeOffset now, TimeSpan skew) => Expires <= now - skew;

    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads and checks the common header; <paramref name="expectedType"/> must equal <c>_type</c>.</summary>
    protected static (long Version, DateTimeOffset Expires, string SpecVersion) ReadHeader(JsonFields signed, string expectedType)
    {
        var type = signed.String("_type", 32);
        if (type != expectedType) throw JsonFields.Malformed(signed.PathOf("_type"), $"'{type}', expected '{expectedType}'");
        var spec = signed.String("spec_version", 32);
        if (!SpecVersionGrammar().IsMatch(spec)) throw JsonFields.Malformed(signed.PathOf("spec_version"), $"'{spec}' is not a TUF 1.x version");
        var version = signed.Integer("version", 1, CanonicalJsonValue.MaxSafeInteger);
        var expires = ParseTime(signed.String("expires", 32), signed.PathOf("expires"));
        return (version, expires, spec);
    }

    /// <summary>A time in the one form TUF writes (<c>YYYY-MM-DDTHH:MM:SSZ</c>); anything else is <c>metadata-malformed</c> at <paramref name="path"/>.</summary>
    internal static DateTimeOffset ParseTime(string text, string path)
    {
        if (!TimeGrammar().IsMatch(text) ||
            !DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            throw JsonFields.Malformed(path, $"'{text}' is not YYYY-MM-DDTHH:MM:SSZ");
        return time;
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    [GeneratedRegex(@"^1\.(0|[1-9][0-9]{0,5})(\.(0|[1-9][0-9]{0,5}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex SpecVersionGrammar();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeGrammar();
}

/// <summary>A role document type the envelope reader can build from its <c>signed</c> object.</summary>
public interface IRoleMetadata<out TSelf>
    where TSelf : RoleMetadata
{
    static abstract string TypeName { get; }

    static abstract TSelf FromJson(JsonFields signed);
}
