using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AtymSecure.Primitives;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AtymSecure.Registry.Hosting;

/// <summary>
/// Reads a registry configuration file that may be JSON or YAML: the shared <see cref="ConfigFile"/> loader (size cap,
/// errors naming the file) with YAML turned into the same JSON model, so a single set of System.Text.Json types (and
/// their validation) serves both. Plain YAML scalars follow the YAML core schema (true/false, null, numbers); quoted
/// scalars stay strings.
/// </summary>
public static class ConfigDocument
{
    /// <summary>Parses <paramref name="path"/> into <typeparamref name="T"/>; throws <see cref="InvalidDataException"/> with the file and reason.</summary>
    public static T Load<T>(string path, JsonSerializerOptions options)
    {
        try
        {
            return ConfigFile.Load<T>(path, options, FromYaml);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{path}: YAML error at line {e.Start.Line}: {e.Message}", e);
        }
    }

    public static JsonNode? FromYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidDataException($"unsupported YAML node at line {node.Start.Line}"),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(value);
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && value.Any(char.IsDigit))
            return JsonValue.Create(real);
        return JsonValue.Create(value);
    }
}
