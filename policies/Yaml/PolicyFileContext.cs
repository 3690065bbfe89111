using AtymSecure.Primitives;
using YamlDotNet.RepresentationModel;

namespace AtymSecure.Policies.Yaml;

/// <summary>One file being read: its name (as problems print it) and the list every problem of it goes to.</summary>
public sealed class PolicyFileContext(string file, List<Problem> problems)
{
    public string File { get; } = file;

    public List<Problem> Problems { get; } = problems;

    public SourcePosition At(YamlNode node) => PolicyYamlReader.At(File, node.Start);

    public void Add(string code, string path, string message, YamlNode at) => Problems.Add(new Problem(code, path, message, At(at)));

    public void Add(string code, string path, string message, SourcePosition at) => Problems.Add(new Problem(code, path, message, at));

    /// <summary>The text of a string scalar; anything else is a <c>wrong-type</c> problem (a quoted "5" is a string, a plain 5 is not).</summary>
    public string? StringOf(YamlNode node, string path, int maxLength = PolicyLimits.MaxStringLength)
    {
        if (node is not YamlScalarNode scalar || YamlScalarType.Of(scalar) != ScalarType.String)
        {
            Add(PolicyProblemCodes.WrongType, path, $"expected a string, found {YamlScalarType.Describe(node)}", node);
            return null;
        }
        var value = scalar.Value ?? "";
        if (value.Length > maxLength)
        {
            Add(PolicyProblemCodes.OutOfRange, path, $"{value.Length} characters, at most {maxLength}", node);
            return null;
        }
        return value;
    }

    public long? IntegerOf(YamlNode node, string path, long min, long max)
    {
        if (node is not YamlScalarNode scalar || YamlScalarType.Of(scalar) != ScalarType.Integer)
        {
            Add(PolicyProblemCodes.WrongType, path, $"expected an integer, found {YamlScalarType.Describe(node)}", node);
            return null;
        }
        if (!long.TryParse(scalar.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            Add(PolicyProblemCodes.OutOfRange, path, $"{Shorten(scalar.Value)} is outside {min}..{max}", node);
            return null;
        }
        return value;
    }

    public bool? BooleanOf(YamlNode node, string path)
    {
        if (node is not YamlScalarNode scalar || YamlScalarType.Of(scalar) != ScalarType.Boolean)
        {
            Add(PolicyProblemCodes.WrongType, path, $"expected true or false, found {YamlScalarType.Describe(node)}", node);
            return null;
        }
        return scalar.Value!.Equals("true", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The items of a list with their paths; anything else is a <c>wrong-type</c> problem.</summary>
    public IReadOnlyList<(YamlNode Node, string Path)> ListOf(YamlNode node, string path, int maxItems = PolicyLimits.MaxListItems)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Add(PolicyProblemCodes.WrongType, path, $"expected a list, found {YamlScalarType.Describe(node)}", node);
            return [];
        }
        if (sequence.Children.Count > maxItems)
        {
            Add(PolicyProblemCodes.TooMany, path, $"{sequence.Children.Count} items, at most {maxItems}", node);
            return [];
        }
        return [.. sequence.Children.Select((item, i) => (item, PolicyPath.Index(path, i)))];
    }

    public MapReader? MapOf(YamlNode node, string path)
    {
        if (node is YamlMappingNode map) return new MapReader(map, path, this);
        Add(PolicyProblemCodes.WrongType, path, $"expected a mapping, found {YamlScalarType.Describe(node)}", node);
        return null;
    }

    internal static string Shorten(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "…" : text;
}
