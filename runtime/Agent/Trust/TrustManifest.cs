using System.Globalization;
using System.Text.Json;

namespace AtymSecure.DeviceAgent.Trust;

/// <summary>One stored metadata file: its SHA-256 (its name in the store) and the version it holds.</summary>
public sealed record StoredFileRef(string Sha256, long Version);

/// <summary>
/// The commit record of the trust store (<c>trust/state</c>, format 1): which content-addressed metadata file holds each
/// role, the version of each, the time floor, when the image root was last refreshed, the report nonces and the
/// offline director version. Written as one line of JSON followed by a line with its HMAC-SHA256
/// (<see cref="TrustStore"/>); this type only reads and writes the JSON line. Strict reader: exactly the members of
/// format 1, no duplicates, sizes capped — the MAC already rules out anything this device did not write, the strictness
/// makes a future format's file fail loudly rather than half-read.
/// </summary>
public sealed record TrustManifest(
    StoredFileRef DirectorRoot,
    StoredFileRef? DirectorTargets,
    StoredFileRef ImageRoot,
    StoredFileRef? ImageTimestamp,
    StoredFileRef? ImageSnapshot,
    DateTimeOffset TimeFloor,
    DateTimeOffset? ImageRootRefreshedAt,
    ReportNonces Nonces,
    long OfflineDirectorVersion)
{
    public const int Format = 1;

    /// <summary>The JSON line is a few hundred bytes; the cap bounds what a damaged file costs to read.</summary>
    public const int MaxBytes = 4096;

    private const int MaxNonceLength = 128;

    private static readonly string[] FileRoles = ["directorRoot", "directorTargets", "imageRoot", "imageTimestamp", "imageSnapshot"];

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("format", Format);
            w.WriteStartObject("files");
            foreach (var (role, file) in Files())
            {
                if (file is null)
                {
                    w.WriteNull(role);
                    continue;
                }
                w.WriteStartObject(role);
                w.WriteString("sha256", file.Sha256);
                w.WriteNumber("version", file.Version);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteString("timeFloor", Time(TimeFloor));
            if (ImageRootRefreshedAt is { } refreshed) w.WriteString("imageRootRefreshedAt", Time(refreshed));
            else w.WriteNull("imageRootRefreshedAt");
            w.WriteStartObject("nonces");
            WriteNullable(w, "acknowledged", Nonces.Acknowledged);
            WriteNullable(w, "inFlight", Nonces.InFlight);
            w.WriteEndObject();
            w.WriteNumber("offlineDirectorVersion", OfflineDirectorVersion);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public IEnumerable<(string Role, StoredFileRef? File)> Files() =>
    [
        ("directorRoot", DirectorRoot), ("directorTargets", DirectorTargets), ("imageRoot", ImageRoot),
        ("imageTimestamp", ImageTimestamp), ("imageSnapshot", ImageSnapshot),
    ];

    /// <exception cref="TrustStoreDamagedException">Not a format-1 manifest.</exception>
    public static TrustManifest Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes) throw Damaged("$", $"{json.Length} bytes, above {MaxBytes}");
        // JsonDocument checks the UTF-8 of names and strings only when they are read, and then not as a JsonException.
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw Damaged("$", "not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw Damaged("$", "not JSON: " + e.Message, e);
        }
        using (document)
        {
            var root = Members(document.RootElement, "$", ["format", "files", "timeFloor", "imageRootRefreshedAt", "nonces", "offlineDirectorVersion"]);
            var format = Integer(root["format"], "$.format");
            if (format != Format) throw Damaged("$.format", $"format {format}; this device reads format {Format}");
            var files = Members(root["files"], "$.files", FileRoles);
            var nonces = Members(root["nonces"], "$.nonces", ["acknowledged", "inFlight"]);
            return new TrustManifest(
                File(files["directorRoot"], "$.files.directorRoot") ?? throw Damaged("$.files.directorRoot", "the director root is required"),
                File(files["directorTargets"], "$.files.directorTargets"),
                File(files["imageRoot"], "$.files.imageRoot") ?? throw Damaged("$.files.imageRoot", "the image root is required"),
                File(files["imageTimestamp"], "$.files.imageTimestamp"),
                File(files["imageSnapshot"], "$.files.imageSnapshot"),
                ParseTime(root["timeFloor"], "$.timeFloor") ?? throw Damaged("$.timeFloor", "required"),
                ParseTime(root["imageRootRefreshedAt"], "$.imageRootRefreshedAt"),
                new ReportNonces(Nonce(nonces["acknowledged"], "$.nonces.acknowledged"), Nonce(nonces["inFlight"], "$.nonces.inFlight")),
                Integer(root["offlineDirectorVersion"], "$.offlineDirectorVersion"));
        }
    }

    private static Dictionary<string, JsonElement> Members(JsonElement element, string path, string[] names)
    {
        if (element.ValueKind != JsonValueKind.Object) throw Damaged(path, $"expected an object, found {element.ValueKind}");
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(names, property.Name) < 0) throw Damaged($"{path}.{property.Name}", "not a member of format 1");
            if (!members.TryAdd(property.Name, property.Value)) throw Damaged($"{path}.{property.Name}", "duplicate member");
        }
        foreach (var name in names)
            if (!members.ContainsKey(name)) throw Damaged($"{path}.{name}", "missing");
        return members;
    }

    private static StoredFileRef? File(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Null) return null;
        var members = Members(element, path, ["sha256", "version"]);
        var sha = members["sha256"].ValueKind == JsonValueKind.String ? members["sha256"].GetString()! : throw Damaged(path + ".sha256", "expected a string");
        if (sha.Length != 64 || !sha.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f')) throw Damaged(path + ".sha256", "not 64 lower-case hex digits");
        var version = Integer(members["version"], path + ".version");
        return version >= 1 ? new StoredFileRef(sha, version) : throw Damaged(path + ".version", $"version {version} is below 1");
    }

    private static long Integer(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= 0 ? value : throw Damaged(path, "expected a non-negative integer");

    private static string? Nonce(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Null) return null;
        var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Damaged(path, "expected a string or null");
        return text.Length is > 0 and <= MaxNonceLength ? text : throw Damaged(path, $"a nonce is 1-{MaxNonceLength} characters");
    }

    private static DateTimeOffset? ParseTime(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Null) return null;
        var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Damaged(path, "expected a time string");
        return DateTimeOffset.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t : throw Damaged(path, $"'{text}' is not {TimeFormat}");
    }

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static TrustStoreDamagedException Damaged(string path, string message, Exception? inner = null) =>
        new("trust/state:" + path, message, inner);
}
