using AtymSecure.Bootloader.State;

namespace AtymSecure.Bootloader.Tests.Support;

/// <summary>Deterministic container images: pseudo-random bytes, and "next versions" that share most of their bytes.</summary>
public static class TestImages
{
    public static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A successor of <paramref name="old"/>: a few edited runs, an insertion and a new tail, like a real rebuild.</summary>
    public static byte[] Evolve(byte[] old, int seed, int? size = null)
    {
        var rng = new Random(seed);
        var result = new List<byte>(old);
        for (var i = 0; i < 6; i++)
        {
            var at = rng.Next(result.Count);
            var len = Math.Min(rng.Next(8, 200), result.Count - at);
            for (var j = 0; j < len; j++) result[at + j] = (byte)rng.Next(256);
        }
        var insert = new byte[rng.Next(16, 300)];
        rng.NextBytes(insert);
        result.InsertRange(rng.Next(result.Count), insert);
        var target = size ?? result.Count;
        while (result.Count < target) result.Add((byte)rng.Next(256));
        if (result.Count > target) result.RemoveRange(target, result.Count - target);
        return result.ToArray();
    }
}
