using AtymSecure.Formats.Container;
using AtymSecure.Primitives;
using static AtymSecure.Formats.Container.ConfigProblemCodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AtymSecure.Container.Project;

/// <summary>
/// Turns atym.yaml text into the neutral <see cref="ConfigNode"/> tree, under hard limits: size, nesting depth
/// and node count; one document only; no anchors, aliases or tags (they add nothing to a project file and
/// open the door to alias-expansion bombs); keys must be plain strings and unique.
/// </summary>
public static class YamlConfigReader
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxDepth = 16;
    public const int MaxNodes = 10_000;

    /// <summary>Parses; throws <see cref="ContainerConfigException"/> with every problem found (at least one).</summary>
    public static ConfigNode Read(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var byteCount = System.Text.Encoding.UTF8.GetByteCount(yaml);
        if (byteCount > MaxBytes) throw Fail(DocumentTooLarge, "$", $"atym.yaml is {byteCount} bytes, limit {MaxBytes}");
        var state = new State(new Parser(new StringReader(yaml)));
        try
        {
            state.Expect<StreamStart>("$");
            if (state.Peek() is StreamEnd) throw Fail(DocumentEmpty, "$", "the document is empty");
            state.Expect<DocumentStart>("$");
            var root = ReadNode(state, "$", 0);
            state.Expect<DocumentEnd>("$");
            if (state.Peek() is not StreamEnd) throw Fail(MultipleDocuments, "$", "more than one YAML document; atym.yaml holds exactly one");
            return root;
        }
        catch (YamlException e)
        {
            throw Fail(Malformed, "$", $"YAML syntax error at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18.1 throws these on some malformed plain scalars and tags (found by the fuzz tests).
            throw Fail(Malformed, "$", $"YAML syntax error: the parser could not read the document ({e.Message})");
        }
    }

    private static ConfigNode ReadNode(State s, string path, int depth)
    {
        if (depth > MaxDepth) throw Fail(TooDeep, path, $"nested deeper than {MaxDepth} levels");
        if (++s.Nodes > MaxNodes) throw Fail(TooManyNodes, path, $"more than {MaxNodes} nodes");
        var ev = s.Next(path);
        if (ev is AnchorAlias alias) throw Fail(AliasNotAllowed, path, $"aliases are not allowed (*{alias.Value}) at line {ev.Start.Line}");
        if (ev is NodeEvent node)
        {
            if (!node.Anchor.IsEmpty) throw Fail(AnchorNotAllowed, path, $"anchors are not allowed (&{node.Anchor}) at line {ev.Start.Line}");
            if (!node.Tag.IsEmpty)
                throw Fail(TagNotAllowed, path, $"tags are not allowed ({node.Tag}) at line {ev.Start.Line}");
        }
        switch (ev)
        {
            case Scalar scalar:
                return new ConfigScalar(scalar.Value, scalar.Style == ScalarStyle.Plain ? ConfigScalarKind.Plain : ConfigScalarKind.String);
            case SequenceStart:
                var items = new List<ConfigNode>();
                while (s.Peek() is not SequenceEnd) items.Add(ReadNode(s, ConfigPath.Index(path, items.Count), depth + 1));
                s.Next(path);
                return new ConfigList(items);
            case MappingStart:
                var entries = new List<KeyValuePair<string, ConfigNode>>();
                while (s.Peek() is not MappingEnd)
                {
                    var keyEvent = s.Next(path);
                    if (keyEvent is not Scalar key) throw Fail(KeyNotString, path, $"mapping keys must be plain strings (line {keyEvent.Start.Line})");
                    entries.Add(new(key.Value, ReadNode(s, ConfigPath.Field(path, key.Value), depth + 1)));
                }
                s.Next(path);
                return new ConfigMap(entries);
            default:
                throw Fail(UnexpectedToken, path, $"unexpected YAML event {ev.GetType().Name} at line {ev.Start.Line}");
        }
    }

    private static ContainerConfigException Fail(string code, string path, string message) => new(new Problem(code, path, message));

    private sealed class State(Parser parser)
    {
        private bool _started;

        public int Nodes { get; set; }

        public ParsingEvent? Peek()
        {
            if (!_started)
            {
                _started = true;
                parser.MoveNext();
            }
            return parser.Current;
        }

        public ParsingEvent Next(string path)
        {
            var ev = Peek() ?? throw Fail(Malformed, path, "unexpected end of YAML");
            parser.MoveNext();
            return ev;
        }

        public void Expect<T>(string path) where T : ParsingEvent
        {
            var ev = Next(path);
            if (ev is not T) throw Fail(UnexpectedToken, path, $"expected {typeof(T).Name}, found {ev.GetType().Name} at line {ev.Start.Line}");
        }
    }
}
