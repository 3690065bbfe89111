using CsCheck;

namespace AtymSecure.Delivery.Tests.Delta;

/// <summary>Generators of old/new image pairs shaped like firmware upgrades.</summary>
internal static class DeltaPairs
{
    /// <summary>Bytes with structure (repeats, small alphabet runs) so matching has something to find.</summary>
    public static readonly Gen<byte[]> Image = Gen.OneOf(
        Gen.Byte.Array[0, 3000],
        Gen.Byte[0, 3].Array[0, 3000],
        Gen.Select(Gen.Byte.Array[1, 64], Gen.Int[1, 80]).Select((unit, times) =>
            Enumerable.Repeat(unit, times).SelectMany(u => u).ToArray()));

    public static readonly Gen<(byte[] Old, byte[] New)> Pair = Gen.OneOf(
        Gen.Const((Array.Empty<byte>(), Array.Empty<byte>())),
        Image.Select(o => (Array.Empty<byte>(), o)),
        Image.Select(o => (o, Array.Empty<byte>())),
        Image.Select(o => (o, (byte[])o.Clone())),
        Gen.Select(Image, Image).Select((a, b) => (a, b)),
        Gen.Select(Image, Gen.Byte.Array[1, 200], Gen.Double[0, 1]).Select((o, ins, at) => (o, Insert(o, ins, at))),
        Gen.Select(Image, Gen.Double[0, 1], Gen.Double[0, 1]).Select((o, a, b) => (o, Delete(o, a, b))),
        Gen.Select(Image, Gen.Int[1, 9], Gen.Int[0, 1000]).Select((o, parts, seed) => (o, Shuffle(o, parts, seed))),
        Gen.Select(Image, Gen.Int[0, 1000], Gen.Byte).Select((o, every, xor) => (o, Sprinkle(o, every, xor))));

    private static byte[] Insert(byte[] o, byte[] ins, double at)
    {
        int i = (int)(at * o.Length);
        return [.. o.AsSpan(0, i), .. ins, .. o.AsSpan(i)];
    }

    private static byte[] Delete(byte[] o, double a, double b)
    {
        int from = (int)(Math.Min(a, b) * o.Length);
        int to = (int)(Math.Max(a, b) * o.Length);
        return [.. o.AsSpan(0, from), .. o.AsSpan(to)];
    }

    private static byte[] Shuffle(byte[] o, int parts, int seed)
    {
        var chunks = Enumerable.Range(0, parts)
            .Select(i => o[(i * o.Length / parts)..((i + 1) * o.Length / parts)])
            .ToArray();
        new Random(seed).Shuffle(chunks);
        return chunks.SelectMany(c => c).ToArray();
    }

    private static byte[] Sprinkle(byte[] o, int every, byte xor)
    {
        var n = (byte[])o.Clone();
        for (int i = 0; i < n.Length; i += every + 1)
        {
            n[i] ^= xor;
        }

        return n;
    }
}
