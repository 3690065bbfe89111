using System.Text;
using AtymSecure.Runtime.Storage;
using CsCheck;

namespace AtymSecure.Runtime.Tests.Storage;

public sealed class AppendOnlyKvStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "atym-kv-tests", Guid.NewGuid().ToString("N"));

    private string PathOf(string name) => Path.Combine(_dir, name + ".kvlog");

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Values_survive_reopening()
    {
        using (var s = new AppendOnlyKvStore(PathOf("a")))
        {
            s.Set(B("count"), B("1"));
            s.Set(B("count"), B("2"));
            s.Set(B("gone"), B("x"));
            Assert.True(s.Delete(B("gone")));
        }
        using var again = new AppendOnlyKvStore(PathOf("a"));
        Assert.Equal("2", Encoding.UTF8.GetString(again.Get(B("count"))!));
        Assert.Null(again.Get(B("gone")));
        Assert.Equal(1, again.Count);
        Assert.Equal(0, again.DroppedTailBytes);
    }

    [Fact]
    public void Limits_are_enforced()
    {
        using var s = new AppendOnlyKvStore(PathOf("q"), new KvLimits(MaxKeyBytes: 4, MaxValueBytes: 8, MaxLiveBytes: 20, MaxEntries: 3));
        Assert.Contains("key of 7 bytes", Assert.Throws<KvQuotaException>(() => s.Set(B("toolong"), B("v"))).Message, StringComparison.Ordinal);
        Assert.Contains("value of 9 bytes", Assert.Throws<KvQuotaException>(() => s.Set(B("k"), new byte[9])).Message, StringComparison.Ordinal);
        s.Set(B("a"), new byte[8]);
        s.Set(B("b"), new byte[8]);
        Assert.Contains("20-byte limit", Assert.Throws<KvQuotaException>(() => s.Set(B("c"), B("12"))).Message, StringComparison.Ordinal);
        s.Set(B("c"), B("1"));
        Assert.Throws<KvQuotaException>(() => s.Set(B("d"), []));
        Assert.Equal(3, s.Count);
    }

    [Fact]
    public void Compaction_keeps_the_live_set_and_shrinks_the_log()
    {
        var path = PathOf("c");
        using (var s = new AppendOnlyKvStore(path))
        {
            for (var i = 0; i < 500; i++) s.Set(B("k"), B($"value-{i}"));
            Assert.True(new FileInfo(path).Length < 4096 * 2, "the log was compacted");
        }
        using var again = new AppendOnlyKvStore(path);
        Assert.Equal("value-499", Encoding.UTF8.GetString(again.Get(B("k"))!));
    }

    /// <summary>
    /// Power cut at any byte: cutting the log anywhere (or flipping a byte in its tail) and reopening gives
    /// exactly the state after some prefix of the committed writes, never garbage.
    /// </summary>
    [Fact]
    public void Any_truncation_or_damage_recovers_a_prefix_of_the_writes()
    {
        var op = Gen.Select(Gen.Int[0, 3], Gen.Byte.Array[0, 20], Gen.Bool);
        Gen.Select(op.Array[1, 12], Gen.Double[0, 1], Gen.Bool).Sample((ops, cutFraction, flip) =>
        {
            var path = PathOf("p" + Guid.NewGuid().ToString("N"));
            var states = new List<Dictionary<string, string>> { new() };
            var current = new Dictionary<string, string>();
            using (var s = new AppendOnlyKvStore(path))
            {
                foreach (var (key, value, delete) in ops)
                {
                    var k = B($"k{key}");
                    if (delete) { s.Delete(k); current.Remove($"k{key}"); }
                    else { s.Set(k, value); current[$"k{key}"] = Convert.ToHexString(value); }
                    states.Add(new Dictionary<string, string>(current));
                }
            }
            var bytes = File.ReadAllBytes(path);
            var cut = (int)(bytes.Length * cutFraction);
            var damaged = bytes[..cut];
            if (flip && damaged.Length > 0) damaged[^1] ^= 0x5A;
            File.WriteAllBytes(path, damaged);
            using var reopened = new AppendOnlyKvStore(path);
            var seen = new Dictionary<string, string>();
            for (var key = 0; key <= 3; key++)
            {
                var v = reopened.Get(B($"k{key}"));
                if (v is not null) seen[$"k{key}"] = Convert.ToHexString(v);
            }
            File.Delete(path);
            return states.Any(st => st.Count == seen.Count && st.All(p => seen.TryGetValue(p.Key, out var v) && v == p.Value));
        }, iter: 300);
    }

    [Fact]
    public void Garbage_file_opens_empty_and_is_reset()
    {
        var path = PathOf("g");
        Directory.CreateDirectory(_dir);
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("this is not a kv log"));
        using var s = new AppendOnlyKvStore(path);
        Assert.Equal(0, s.Count);
        Assert.Equal(20, s.DroppedTailBytes);
        s.Set(B("a"), B("b"));
        Assert.Equal("b", Encoding.UTF8.GetString(s.Get(B("a"))!));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
