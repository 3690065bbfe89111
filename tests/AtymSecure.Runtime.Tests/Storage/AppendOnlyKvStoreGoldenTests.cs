using AtymSecure.TestSupport;
using System.Text;
using AtymSecure.Runtime.Storage;

namespace AtymSecure.Runtime.Tests.Storage;

/// <summary>
/// The KV log format (records <c>[0xA7][op][u16 key len][u32 value len][key][value][u32 CRC-32]</c>) as
/// committed bytes, made once by today's writer and kept forever: a later writer or CRC-32 must
/// replay them to the same values and write the same bytes for the same changes.
/// </summary>
public sealed class AppendOnlyKvStoreGoldenTests : IDisposable
{
    private const string Golden = "kv-log-v1-six-changes.kvlog";
    private static readonly byte[] BinaryKey = [0x00, 0xFF, 0x7F];

    private readonly TempFolder _temp = TempFolder.Create("kv-golden");

    public void Dispose() => _temp.Dispose();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The changes the golden log records, in order (the writer's half of the test).</summary>
    private static void WriteGoldenChanges(AppendOnlyKvStore store)
    {
        store.Set(B("count"), B("1"));
        store.Set(B("name"), B("sensor-filter"));
        store.Set(B("count"), B("2"));
        Assert.True(store.Delete(B("name")));
        store.Set(BinaryKey, [1, 2, 3]);
        store.Set(B("empty"), []);
    }

    [Fact]
    public void Golden_log_replays_to_the_expected_values()
    {
        using var store = new AppendOnlyKvStore(CopyOfGolden(Golden));
        Assert.Equal(0, store.DroppedTailBytes);
        Assert.Equal(3, store.Count);
        Assert.Equal(B("2"), store.Get(B("count")));
        Assert.Null(store.Get(B("name")));
        Assert.Equal([1, 2, 3], store.Get(BinaryKey));
        Assert.Equal([], Assert.IsType<byte[]>(store.Get(B("empty"))));
        Assert.Equal("count".Length + 1 + BinaryKey.Length + 3 + "empty".Length, store.LiveBytes);
    }

    [Fact]
    public void Todays_writer_reproduces_the_golden_log_byte_for_byte()
    {
        var path = Path.Combine(_temp.Path, "new.kvlog");
        using (var store = new AppendOnlyKvStore(path)) WriteGoldenChanges(store);
        Assert.Equal(ReadGolden(Golden), File.ReadAllBytes(path));
    }

    [Fact]
    public void Negative_golden_with_a_torn_last_record_loses_only_that_record()
    {
        // The golden log cut 3 bytes into its last record's checksum: what a power cut mid-append leaves.
        var path = CopyOfGolden("kv-log-v1-torn-tail-negative.kvlog");
        var length = new FileInfo(path).Length;
        using var store = new AppendOnlyKvStore(path);
        Assert.Equal(Record("empty", 0) - 3, store.DroppedTailBytes);
        Assert.Null(store.Get(B("empty")));
        Assert.Equal(B("2"), store.Get(B("count")));
        Assert.Equal([1, 2, 3], store.Get(BinaryKey));
        Assert.Equal(length - store.DroppedTailBytes, new FileInfo(path).Length);
    }

    [Fact]
    public void Negative_golden_with_a_damaged_middle_record_replays_up_to_it_and_cuts_the_rest()
    {
        // One value byte of the third record ("count" = "2") flipped: its CRC-32 fails, so replay stops there.
        using var store = new AppendOnlyKvStore(CopyOfGolden("kv-log-v1-damaged-record-negative.kvlog"));
        Assert.Equal(B("1"), store.Get(B("count")));
        Assert.Equal(B("sensor-filter"), store.Get(B("name")));
        Assert.Null(store.Get(BinaryKey));
        Assert.Equal(2, store.Count);
        Assert.Equal(ReadGolden(Golden).Length - Record("count", 1) - Record("name", 13), store.DroppedTailBytes);
    }

    /// <summary>Encoded length of one record: 8-byte header, key, value, 4-byte CRC.</summary>
    private static int Record(string key, int valueLength) => 8 + key.Length + valueLength + 4;

    private static byte[] ReadGolden(string name) => File.ReadAllBytes(GoldenPath(name));

    private static string GoldenPath(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        Assert.True(File.Exists(path), $"golden file {name} is missing from tests/AtymSecure.Runtime.Tests/Golden");
        return path;
    }

    /// <summary>Opening cuts a damaged tail off the file, so tests work on a copy of the committed file.</summary>
    private string CopyOfGolden(string name)
    {
        var path = Path.Combine(_temp.Path, name);
        File.Copy(GoldenPath(name), path);
        return path;
    }
}
