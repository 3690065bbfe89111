using System.Globalization;
using System.Text.Json.Nodes;
using AtymSecure.Policies.Yaml;
using YamlDotNet.RepresentationModel;

namespace AtymSecure.Policies.Tests;

/// <summary>The JSON view of a policy file that the JSON Schemas judge: scalars typed by <see cref="YamlScalarType"/>, the validator's own rule.</summary>
internal static class YamlJson
{
    public static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, Convert(kv.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(Convert)]),
        YamlScalarNode s => YamlScalarType.Of(s) switch
        {
            ScalarType.Null => null,
            ScalarType.Boolean => JsonValue.Create(s.Value!.Equals("true", StringComparison.OrdinalIgnoreCase)),
            ScalarType.Integer => long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? JsonValue.Create(l) : JsonValue.Create(decimal.Parse(s.Value!, CultureInfo.InvariantCulture)),
            ScalarType.Number => JsonValue.Create(double.Parse(s.Value!, CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(s.Value),
        },
        _ => throw new InvalidOperationException($"unexpected node {node.NodeType}"),
    };
}
