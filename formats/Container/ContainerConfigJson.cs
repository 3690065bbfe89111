using System.Text.Json;
using AtymSecure.Primitives;
using static AtymSecure.Formats.Container.ConfigProblemCodes;

namespace AtymSecure.Formats.Container;

/// <summary>
/// The JSON form of <see cref="ContainerConfig"/> (the blob <see cref="ContainerMediaTypes.ContainerConfig"/>).
/// Reading is strict and bounded (size, depth, duplicate keys, unknown fields); writing is canonical: fixed
/// field order, every field present, variables sorted, no whitespace, so the same config always hashes the same.
/// </summary>
public static class ContainerConfigJson
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxDepth = 16;

    /// <summary>Parses and validates; throws <see cref="ContainerConfigException"/> listing every problem.</summary>
    public static ContainerConfig Parse(ReadOnlySpan<byte> json) => ContainerConfigReader.Read(ToNode(json));

    /// <summary>Converts JSON bytes to the neutral tree; throws <see cref="ContainerConfigException"/> for malformed JSON.</summary>
    public static ConfigNode ToNode(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes) throw new ContainerConfigException(new Problem(DocumentTooLarge, "$", $"document is {json.Length} bytes, limit {MaxBytes}"));
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read()) throw new ContainerConfigException(new Problem(DocumentEmpty, "$", "empty document"));
            var errors = new List<Problem>();
            var node = ReadValue(ref reader, "$", errors);
            if (reader.Read()) errors.Add(new Problem(TrailingData, "$", "trailing data after the document"));
            return errors.Count == 0 ? node : throw new ContainerConfigException(errors);
        }
        catch (JsonException e)
        {
            throw new ContainerConfigException(new Problem(Malformed, "$", $"malformed JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine}: {e.Message}"));
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString throws this for strings that are not valid UTF-8.
            throw new ContainerConfigException(new Problem(Malformed, "$", $"malformed JSON: {e.Message}"));
        }
    }

    private static ConfigNode ReadValue(ref Utf8JsonReader reader, string path, List<Problem> errors)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<KeyValuePair<string, ConfigNode>>();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    entries.Add(new(key, ReadValue(ref reader, ConfigPath.Field(path, key), errors)));
                }
                return new ConfigMap(entries);
            case JsonTokenType.StartArray:
                var items = new List<ConfigNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    items.Add(ReadValue(ref reader, ConfigPath.Index(path, items.Count), errors));
                return new ConfigList(items);
            case JsonTokenType.String:
                return new ConfigScalar(reader.GetString()!, ConfigScalarKind.String);
            case JsonTokenType.Number:
                return new ConfigScalar(System.Text.Encoding.UTF8.GetString(reader.ValueSpan), ConfigScalarKind.Number);
            case JsonTokenType.True:
            case JsonTokenType.False:
                return new ConfigScalar(reader.TokenType == JsonTokenType.True ? "true" : "false", ConfigScalarKind.Boolean);
            case JsonTokenType.Null:
                return new ConfigScalar("null", ConfigScalarKind.Null);
            default:
                errors.Add(new Problem(UnexpectedToken, path, $"unexpected JSON token {reader.TokenType}"));
                return new ConfigScalar("", ConfigScalarKind.Null);
        }
    }

    /// <summary>Canonical bytes of a valid config; throws <see cref="ContainerConfigException"/> when it is not valid.</summary>
    public static byte[] Serialize(ContainerConfig config)
    {
        var errors = ContainerConfigValidator.Validate(config);
        if (errors.Count > 0) throw new ContainerConfigException(errors);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", config.SchemaVersion);
            w.WriteString("name", config.Name);
            w.WriteString("version", config.Version!.ToString());
            if (config.Description is not null) w.WriteString("description", config.Description);
            w.WriteString("entrypoint", config.Entrypoint);
            w.WriteStartObject("variables");
            foreach (var (k, v) in config.Variables.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteStartArray("permissions");
            foreach (var p in config.Permissions) w.WriteStringValue(p.ToString());
            w.WriteEndArray();
            w.WriteStartObject("resources");
            w.WriteNumber("maxMemoryBytes", config.Resources.MaxMemoryBytes);
            w.WriteNumber("maxStackBytes", config.Resources.MaxStackBytes);
            w.WriteNumber("cpuBudgetMs", config.Resources.CpuBudgetMs);
            w.WriteNumber("sliceIntervalMs", config.Resources.SliceIntervalMs);
            if (config.Resources.LogLinesPerSecond is { } logRate) w.WriteNumber("logLinesPerSecond", logRate);
            w.WriteEndObject();
            if (config.HealthCheck is { } h)
            {
                w.WriteStartObject("healthCheck");
                w.WriteString("probe", h.Probe);
                w.WriteNumber("intervalMs", h.IntervalMs);
                w.WriteNumber("timeoutMs", h.TimeoutMs);
                w.WriteNumber("passesToConfirm", h.PassesToConfirm);
                w.WriteEndObject();
            }
            w.WriteStartObject("restart");
            w.WriteString("policy", RestartPolicy.ModeName(config.Restart.Mode));
            w.WriteNumber("maxRetries", config.Restart.MaxRetries);
            w.WriteNumber("backoffInitialMs", config.Restart.BackoffInitialMs);
            w.WriteNumber("backoffMaxMs", config.Restart.BackoffMaxMs);
            w.WriteNumber("backoffMultiplierPercent", config.Restart.BackoffMultiplierPercent);
            w.WriteEndObject();
            if (config.MinRuntimeVersion is not null) w.WriteString("minRuntimeVersion", config.MinRuntimeVersion.ToString());
            w.WriteStartArray("targets");
            foreach (var t in config.Targets) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteStartArray("blobs");
            foreach (var b in config.Blobs)
            {
                w.WriteStartObject();
                w.WriteString("name", b.Name);
                w.WriteString("mediaType", b.MediaType);
                w.WriteString("digest", b.Digest);
                w.WriteNumber("size", b.Size);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
