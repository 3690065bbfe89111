using System.Globalization;
using System.Text.Json;
using AtymSecure.Primitives;
using static AtymSecure.Formats.Container.ConfigProblemCodes;

namespace AtymSecure.Formats.Container;

/// <summary>
/// The manifest config blob of a Wasm OCI artifact (<see cref="ContainerMediaTypes.WasmConfig"/>), per the CNCF
/// TAG Runtime layout https://tag-runtime.cncf.io/wgs/wasm/deliverables/wasm-oci-artifact/ :
/// <c>{"created","author"?,"architecture":"wasm","os":"wasip1"|"wasip2","layerDigests":[...],"component"?}</c>.
/// <c>layerDigests</c> repeats every manifest layer digest in order (it makes the config unique per image).
/// We produce core modules only (<c>os = wasip1</c>, no <c>component</c>); on read a <c>component</c> object
/// is tolerated and ignored.
/// </summary>
public sealed record WasmArtifactConfig
{
    public const int MaxBytes = 64 * 1024;
    public const string Architecture = "wasm";
    public const string ModuleOs = "wasip1";
    public const string ComponentOs = "wasip2";

    /// <summary>Used when no build time is given (no SOURCE_DATE_EPOCH): keeps builds reproducible.</summary>
    public static readonly DateTimeOffset FixedCreated = DateTimeOffset.UnixEpoch;

    public required DateTimeOffset Created { get; init; }

    public string? Author { get; init; }

    public string Os { get; init; } = ModuleOs;

    public required IReadOnlyList<string> LayerDigests { get; init; }

    public bool Equals(WasmArtifactConfig? other) =>
        other is not null && Created == other.Created && Author == other.Author && Os == other.Os && ValueEquality.Lists(LayerDigests, other.LayerDigests);

    public override int GetHashCode() => HashCode.Combine(Created, Author, Os, ValueEquality.ListHash(LayerDigests));

    public static string FormatTime(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Canonical bytes: fixed field order, no whitespace.</summary>
    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("created", FormatTime(Created));
            if (Author is not null) w.WriteString("author", Author);
            w.WriteString("architecture", Architecture);
            w.WriteString("os", Os);
            w.WriteStartArray("layerDigests");
            foreach (var d in LayerDigests) w.WriteStringValue(d);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Parses and checks the fixed fields; throws <see cref="ContainerConfigException"/> with every problem.</summary>
    public static WasmArtifactConfig Parse(ReadOnlySpan<byte> json)
    {
        var root = ContainerConfigJsonNode(json);
        var errors = new List<Problem>();
        var r = ConfigFieldReader.Open(root, "$", errors);
        if (r is null) throw new ContainerConfigException(errors);
        var createdText = r.String("created", required: true);
        var created = FixedCreated;
        if (createdText is not null && !DateTimeOffset.TryParse(createdText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out created))
            r.Error(InvalidTime, "$.created", $"'{createdText}' is not an RFC 3339 time");
        var author = r.String("author");
        var arch = r.String("architecture", required: true);
        if (arch is not null && arch != Architecture) r.Error(WrongArchitecture, "$.architecture", $"'{arch}' must be '{Architecture}'");
        var os = r.String("os", required: true);
        if (os is not null && os is not (ModuleOs or ComponentOs)) r.Error(UnsupportedOs, "$.os", $"'{os}' must be '{ModuleOs}' or '{ComponentOs}'");
        var digests = new List<string>();
        var items = r.List("layerDigests");
        if (items is not null)
        {
            for (var i = 0; i < items.Count; i++)
                if (r.AsString(items[i], $"$.layerDigests[{i}]") is { } d) digests.Add(d);
        }
        // Unknown fields (and wasip2 "component" metadata) are tolerated, as OCI readers must.
        if (errors.Count > 0) throw new ContainerConfigException(errors);
        return new WasmArtifactConfig { Created = created, Author = author, Os = os!, LayerDigests = digests };
    }

    private static ConfigNode ContainerConfigJsonNode(ReadOnlySpan<byte> json) =>
        json.Length > MaxBytes
            ? throw new ContainerConfigException(new Problem(DocumentTooLarge, "$", $"wasm config is {json.Length} bytes, limit {MaxBytes}"))
            : ContainerConfigJson.ToNode(json);
}
