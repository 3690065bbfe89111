using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtymSecure.Primitives;

/// <summary>
/// Lets System.Text.Json populate <see cref="EquatableList{T}"/> (a JSON array) and <see cref="EquatableMap{TValue}"/>
/// (a JSON object), which it cannot on its own: it builds neither collection-builder types nor immutable types it does
/// not know. Items go through the caller's options, so their converters, naming and depth limit still apply. A map
/// refuses a key given twice instead of keeping the last one, so no two readers can disagree about a document.
/// </summary>
public sealed class EquatableCollectionJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType
        && (typeToConvert.GetGenericTypeDefinition() == typeof(EquatableList<>) || typeToConvert.GetGenericTypeDefinition() == typeof(EquatableMap<>));

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var item = typeToConvert.GetGenericArguments()[0];
        var converter = typeToConvert.GetGenericTypeDefinition() == typeof(EquatableList<>)
            ? typeof(ListConverter<>).MakeGenericType(item)
            : typeof(MapConverter<>).MakeGenericType(item);
        return (JsonConverter)Activator.CreateInstance(converter)!;
    }

    private sealed class ListConverter<T> : JsonConverter<EquatableList<T>>
    {
        public override EquatableList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException($"expected an array, got {reader.TokenType}");
            var items = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                items.Add(JsonSerializer.Deserialize<T>(ref reader, options)!);
            return new EquatableList<T>(items);
        }

        public override void Write(Utf8JsonWriter writer, EquatableList<T> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value) JsonSerializer.Serialize(writer, item, options);
            writer.WriteEndArray();
        }
    }

    private sealed class MapConverter<TValue> : JsonConverter<EquatableMap<TValue>>
    {
        public override EquatableMap<TValue> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"expected an object, got {reader.TokenType}");
            var entries = new Dictionary<string, TValue>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = reader.GetString()!;
                reader.Read();
                if (!entries.TryAdd(key, JsonSerializer.Deserialize<TValue>(ref reader, options)!))
                    throw new JsonException($"key '{key}' is given twice");
            }
            return new EquatableMap<TValue>(entries);
        }

        public override void Write(Utf8JsonWriter writer, EquatableMap<TValue> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (key, item) in value)
            {
                writer.WritePropertyName(options.DictionaryKeyPolicy?.ConvertName(key) ?? key);
                JsonSerializer.Serialize(writer, item, options);
            }
            writer.WriteEndObject();
        }
    }
}
