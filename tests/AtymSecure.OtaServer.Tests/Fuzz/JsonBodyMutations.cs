using System.Text;
using CsCheck;

namespace AtymSecure.OtaServer.Tests.Fuzz;

/// <summary>
/// Bad request bodies made from a valid one, for the endpoint fuzz tests (this project's and the rollouts' endpoints,
/// which link this file): structural mutations, retyped values, unknown fields, bodies far past any cap, random bytes
/// and the empty body.
/// </summary>
internal static class JsonBodyMutations
{
    public static Gen<byte[]> Of(byte[] valid)
    {
        var structural = "{}[]\":,0-e.\\ntfu\u00ff"u8.ToArray();
        var mutated = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Int[0, structural.Length - 1], Gen.Int[0, 2]).Array[1, 4].Select(edits =>
        {
            var copy = (byte[])valid.Clone();
            foreach (var (at, with, kind) in edits)
            {
                if (at >= copy.Length) continue;
                if (kind == 0) copy[at] = structural[with];
                else if (kind == 1) copy = [.. copy[..at], .. copy[Math.Min(copy.Length, at + 1 + with)..]];
                else copy = [.. copy[..at], structural[with], .. copy[at..]];
            }
            return copy;
        });
        var text = Encoding.UTF8.GetString(valid);
        var retyped = Gen.OneOf<string>("1", "\"x\"", "null", "[]", "{}", "true", "-1", "99999999999999999999", "1.5").Select(v =>
            Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(text, "(?<=\":)(\"[^\"]*\"|\\d+|\\[[^\\]]*\\])", v, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1))));
        var unknown = Gen.String[Gen.Char["abcxyz_"], 1, 8].Select(name => Encoding.UTF8.GetBytes(text.Insert(1, $"\"{name}q\":1,")));
        var huge = Gen.Int[1, 3].Select(n => Encoding.UTF8.GetBytes(text.Insert(1, $"\"pad\":\"{new string('a', n * 700_000)}\",")));
        return Gen.Frequency((4, mutated), (2, retyped), (2, unknown), (1, huge), (1, Gen.Byte.Array[0, 200]), (1, Gen.Const(Array.Empty<byte>())));
    }
}
