using System.Text.Json;
using System.Text.Json.Serialization;

namespace AtymSecure.Primitives;

/// <summary>A digest as its JSON string; an invalid one fails deserialisation with the reason.</summary>
internal sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (!Digest.TryParse(text, out var digest, out var error))
        {
            throw new JsonException($"invalid digest '{text}': {error}");
        }
        return digest;
    }

    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
