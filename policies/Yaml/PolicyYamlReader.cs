using System.Text;
using AtymSecure.Primitives;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Yaml;

/// <summary>
/// Reads one policy file into YamlDotNet's representation model, so every node keeps its line and column. Untrusted
/// bytes: a size cap first, strict UTF-8, then one pass over the parser's events that bounds depth and node count and
/// refuses anchors, aliases and tags (alias bombs; they add nothing to a policy), non-string and duplicate keys and more
/// than one document — each with its position. Only a file that passes is loaded. Never throws for bad input.
/// </summary>
public static class PolicyYamlReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The root node, or null with the reasons added to <paramref name="problems"/>.</summary>
    public static YamlNode? Read(string file, ReadOnlySpan<byte> bytes, List<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(problems);
        var start = new SourcePosition(file, 1, 1);
        if (bytes.Length > PolicyLimits.MaxFileBytes)
        {
            problems.Add(new Problem(FileTooLarge, "$", $"{bytes.Length} bytes, at most {PolicyLimits.MaxFileBytes}", start));
            return null;
        }
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            problems.Add(new Problem(Malformed, "$", $"not UTF-8 (byte {e.Index})", start));
            return null;
        }
        var before = problems.Count;
        try
        {
            Check(file, text, problems);
            if (problems.Count > before) return null;
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            problems.Add(new Problem(Malformed, "$", $"YAML syntax error: {Clean(e.Message)}", At(file, e.Start)));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these on some malformed scalars and tags (the container reader's fuzz tests found them).
            problems.Add(new Problem(Malformed, "$", $"YAML syntax error: the parser could not read the file ({e.Message})", start));
        }
        return null;
    }

    /// <summary>Where a node starts, as editors and CI annotations count (1-based).</summary>
    public static SourcePosition At(string file, Mark mark) => new(file, Math.Max(1, (int)mark.Line), Math.Max(1, (int)mark.Column));

    private static string Clean(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (…): "; the position is ours already.
        var colon = message.LastIndexOf("): ", StringComparison.Ordinal);
        return colon >= 0 ? message[(colon + 3)..] : message;
    }

    private static void Check(string file, string text, List<Problem> problems)
    {
        var walk = new EventWalk(file, new Parser(new StringReader(text)), problems);
        walk.Expect<StreamStart>();
        if (walk.Peek() is StreamEnd)
        {
            problems.Add(new Problem(DocumentEmpty, "$", "the file is empty; a policy file holds one YAML document", new SourcePosition(file, 1, 1)));
            return;
        }
        walk.Expect<DocumentStart>();
        if (!walk.Node("$", 0)) return;
        walk.Expect<DocumentEnd>();
        if (walk.Peek() is { } next and not StreamEnd)
            problems.Add(new Problem(MultipleDocuments, "$", "more than one YAML document; a policy file holds exactly one", At(file, next.Start)));
    }

    private sealed class EventWalk(string file, Parser parser, List<Problem> problems)
    {
        private bool _started;
        private int _nodes;

        public ParsingEvent? Peek()
        {
            if (!_started)
            {
                _started = true;
                parser.MoveNext();
            }
            return parser.Current;
        }

        private ParsingEvent Next()
        {
            var ev = Peek() ?? throw new YamlException("unexpected end of the file");
            parser.MoveNext();
            return ev;
        }

        public void Expect<T>() where T : ParsingEvent
        {
            var ev = Next();
            if (ev is not T) throw new YamlException(ev.Start, ev.End, $"expected {typeof(T).Name}, found {ev.GetType().Name}");
        }

        /// <summary>Walks one node; false once a problem makes the rest of the walk meaningless.</summary>
        public bool Node(string path, int depth)
        {
            var ev = Next();
            var at = At(file, ev.Start);
            if (depth > PolicyLimits.MaxDepth) return Stop(TooDeep, path, $"nested deeper than {PolicyLimits.MaxDepth} levels", at);
            if (++_nodes > PolicyLimits.MaxNodes) return Stop(TooManyNodes, path, $"more than {PolicyLimits.MaxNodes} nodes", at);
            if (ev is AnchorAlias alias) return Stop(AliasNotAllowed, path, $"aliases are not allowed (*{alias.Value})", at);
            if (ev is NodeEvent node)
            {
                if (!node.Anchor.IsEmpty) return Stop(AnchorNotAllowed, path, $"anchors are not allowed (&{node.Anchor})", at);
                if (!node.Tag.IsEmpty && !node.Tag.IsNonSpecific) return Stop(TagNotAllowed, path, $"tags are not allowed ({node.Tag})", at);
            }
            switch (ev)
            {
                case Scalar:
                    return true;
                case SequenceStart:
                    for (var i = 0; Peek() is not SequenceEnd; i++)
                        if (!Node($"{path}[{i}]", depth + 1)) return false;
                    Next();
                    return true;
                case MappingStart:
                    var keys = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
                    while (Peek() is not MappingEnd)
                    {
                        var keyEvent = Next();
                        var keyAt = At(file, keyEvent.Start);
                        if (keyEvent is not Scalar key || (!key.Tag.IsEmpty && !key.Tag.IsNonSpecific) || !key.Anchor.IsEmpty)
                            return Stop(KeyNotString, path, "mapping keys must be plain strings", keyAt);
                        if (!keys.TryAdd(key.Value, keyAt))
                            problems.Add(new Problem(DuplicateKey, PolicyPath.Field(path, key.Value), $"'{key.Value}' appears twice (first at line {keys[key.Value].Line})", keyAt));
                        if (!Node(PolicyPath.Field(path, key.Value), depth + 1)) return false;
                    }
                    Next();
                    return true;
                default:
                    return Stop(Malformed, path, $"unexpected YAML event {ev.GetType().Name}", at);
            }
        }

        private bool Stop(string code, string path, string message, SourcePosition at)
        {
            problems.Add(new Problem(code, path, message, at));
            return false;
        }
    }
}
