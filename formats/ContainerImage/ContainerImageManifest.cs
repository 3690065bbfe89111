using System.Text.Json;
using AtymSecure.Formats.Container;

namespace AtymSecure.Formats.ContainerImage;

/// <summary>
/// Canonical manifest bytes (docs/container-image-format.md#manifest): keys sorted, no whitespace, the
/// config embedded exactly as <see cref="ContainerConfigJson.Serialize"/> writes it, grants in the order of
/// the config's permissions. The writer emits these bytes; the reader rebuilds them and refuses any other
/// spelling, so one image content has exactly one byte form (and one digest).
/// </summary>
internal static class ContainerImageManifest
{
    public static byte[] Serialize(byte[] configJson, IEnumerable<Capability> grants, ContainerImageSection code, IEnumerable<ContainerImageBlob> blobs)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartArray("blobs");
            foreach (var b in blobs)
            {
                w.WriteStartObject();
                w.WriteNumber("length", b.Length);
                w.WriteString("name", b.Name);
                w.WriteNumber("offset", b.Offset);
                w.WriteString("sha256", b.Sha256);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("code");
            WriteNullable(w, "deviceClass", code.DeviceClass);
            w.WriteString("kind", ContainerImageLayout.KindName(code.Kind));
            w.WriteNumber("length", code.Length);
            w.WriteNumber("offset", code.Offset);
            w.WriteString("sha256", code.Sha256);
            WriteNullable(w, "targetTriple", code.TargetTriple);
            w.WriteEndObject();
            w.WritePropertyName("config");
            w.WriteRawValue(configJson, skipInputValidation: false);
            w.WriteStartArray("grants");
            foreach (var g in grants) w.WriteStringValue(g.ToString());
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }
}
