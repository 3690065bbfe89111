using System.Buffers;
using System.Globalization;
using System.Text;

namespace AtymSecure.Formats.UpdateMetadata.Json;

/// <summary>
/// Writes canonical JSON the way TUF signs it (securesystemslib <c>encode_canonical</c>, tuf-js
/// <c>@tufjs/canonical-json</c>, OLPC canonical JSON): no whitespace, object members sorted by key, integers in
/// plain decimal, strings in UTF-8 with only <c>"</c> and <c>\</c> escaped — every other character, control
/// characters included, is written as itself. Keys sort by Unicode code point (= UTF-8 byte order, what
/// securesystemslib and OLPC do). tuf-js sorts by UTF-16 code unit instead; the two orders differ only between a
/// character above U+FFFF and one in U+E000–U+FFFF, which no key of ours holds (docs/update-metadata.md).
/// </summary>
public static class CanonicalJsonWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The exact bytes TUF signatures are computed over.</summary>
    public static byte[] Encode(CanonicalJsonValue value)
    {
        var output = new ArrayBufferWriter<byte>(256);
        Write(output, value, escapeControl: false);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The bytes of a metadata file: the canonical form, except that control characters are written as
    /// <c>\u00XX</c>. Raw control characters (an ECDSA key's PEM holds newlines) are canonical but not valid JSON,
    /// and a file must parse with any JSON reader; both spellings read back to the same value.
    /// </summary>
    public static byte[] EncodeDocument(CanonicalJsonValue value)
    {
        var output = new ArrayBufferWriter<byte>(256);
        Write(output, value, escapeControl: true);
        return output.WrittenSpan.ToArray();
    }

    private static void Write(ArrayBufferWriter<byte> output, CanonicalJsonValue value, bool escapeControl)
    {
        switch (value)
        {
            case CanonicalJsonObject obj:
                output.Write("{"u8);
                var first = true;
                foreach (var name in obj.Members.Keys.Order(CodePointComparer.Instance))
                {
                    if (!first) output.Write(","u8);
                    first = false;
                    WriteString(output, name, escapeControl);
                    output.Write(":"u8);
                    Write(output, obj.Members[name], escapeControl);
                }
                output.Write("}"u8);
                break;
            case CanonicalJsonArray array:
                output.Write("["u8);
                for (var i = 0; i < array.Items.Count; i++)
                {
                    if (i > 0) output.Write(","u8);
                    Write(output, array.Items[i], escapeControl);
                }
                output.Write("]"u8);
                break;
            case CanonicalJsonString s:
                WriteString(output, s.Value, escapeControl);
                break;
            case CanonicalJsonInteger n:
                output.Write(Encoding.ASCII.GetBytes(n.Value.ToString(CultureInfo.InvariantCulture)));
                break;
            case CanonicalJsonBoolean b:
                output.Write(b.Value ? "true"u8 : "false"u8);
                break;
            case CanonicalJsonNull:
                output.Write("null"u8);
                break;
            default:
                throw new ArgumentException($"unknown JSON value {value.GetType().Name}", nameof(value));
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> output, string text, bool escapeControl)
    {
        output.Write("\""u8);
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var escape = c is '"' or '\\' || (escapeControl && c < 0x20);
            if (!escape) continue;
            WriteUtf8(output, text.AsSpan(start, i - start));
            if (c is '"' or '\\')
            {
                output.Write("\\"u8);
                output.Write([(byte)c]);
            }
            else
            {
                output.Write(Encoding.ASCII.GetBytes($"\\u{(int)c:x4}"));
            }
            start = i + 1;
        }
        WriteUtf8(output, text.AsSpan(start));
        output.Write("\""u8);
    }

    private static void WriteUtf8(ArrayBufferWriter<byte> output, ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return;
        var span = output.GetSpan(StrictUtf8.GetMaxByteCount(chars.Length));
        output.Advance(StrictUtf8.GetBytes(chars, span));
    }
}

/// <summary>Orders strings by Unicode code point, which is also the ordinal order of their UTF-8 bytes.</summary>
public sealed class CodePointComparer : IComparer<string>
{
    public static readonly CodePointComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var common = Math.Min(x.Length, y.Length);
        for (var i = 0; i < common; i++)
        {
            if (x[i] != y[i]) return Rank(x[i]).CompareTo(Rank(y[i]));
        }
        return x.Length.CompareTo(y.Length);
    }

    // UTF-16 puts surrogates (code points above U+FFFF) below U+E000-U+FFFF; lift them above to get code point order.
    private static int Rank(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };
}
