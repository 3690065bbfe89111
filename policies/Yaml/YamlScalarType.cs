using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AtymSecure.Policies.Yaml;

/// <summary>What a YAML scalar is, by the YAML 1.2 core schema: a quoted scalar is always a string; a plain one is
/// null, a boolean, an integer, a number or a string. The one rule, so the validator and the JSON view the schema
/// tests read see the same types.</summary>
public enum ScalarType
{
    Null,
    Boolean,
    Integer,
    Number,
    String,
}

public static partial class YamlScalarType
{
    [GeneratedRegex("^-?(0|[1-9][0-9]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerGrammar();

    [GeneratedRegex("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberGrammar();

    public static ScalarType Of(YamlScalarNode scalar)
    {
        ArgumentNullException.ThrowIfNull(scalar);
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return ScalarType.String;
        var v = scalar.Value ?? "";
        if (v is "" or "~" or "null" or "Null" or "NULL") return ScalarType.Null;
        if (v is "true" or "false" or "True" or "False" or "TRUE" or "FALSE") return ScalarType.Boolean;
        if (IntegerGrammar().IsMatch(v)) return ScalarType.Integer;
        if (NumberGrammar().IsMatch(v)) return ScalarType.Number;
        return ScalarType.String;
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => Of(s) switch
        {
            ScalarType.Null => "null",
            ScalarType.Boolean => "a boolean",
            ScalarType.Integer => "an integer",
            ScalarType.Number => "a number",
            _ => "a string",
        },
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an unknown node",
    };
}
