using System.Buffers.Binary;
using System.IO.Hashing;
using AtymSecure.Primitives;

namespace AtymSecure.Runtime.Storage;

/// <summary>
/// A power-safe key-value store in one append-only file. Each change is one record
/// <c>[0xA7][op][u16 key len][u32 value len][key][value][u32 CRC-32 of op..value]</c>, flushed to disk before
/// <see cref="Set"/> returns. Opening replays records up to the first torn or corrupt one and cuts the file
/// there, so a power cut loses at most the write in flight. When dead records dominate, the live set is
/// rewritten with <see cref="AtomicFile"/> (temp file, fsync, rename over the log; never rewritten in place).
/// </summary>
public sealed class AppendOnlyKvStore : IKeyValueStore, IDisposable
{
    private const byte Magic = 0xA7;
    private const byte OpSet = 1;
    private const byte OpDelete = 2;
    private const int HeaderBytes = 1 + 1 + 2 + 4;
    private const int CrcBytes = 4;

    private readonly string _path;
    private readonly Dictionary<string, byte[]> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private FileStream _log;
    private long _liveBytes;

    public AppendOnlyKvStore(string path, KvLimits? limits = null)
    {
        _path = path ?? throw new ArgumentNullException(nameof(path));
        Limits = limits ?? KvLimits.Default;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _log = OpenLog(path, FileMode.OpenOrCreate);
        var valid = Replay();
        if (valid < _log.Length)
        {
            // Torn tail from a power cut: drop it so new records follow the last good one.
            DroppedTailBytes = _log.Length - valid;
            _log.SetLength(valid);
            _log.Flush(flushToDisk: true);
        }
        _log.Seek(0, SeekOrigin.End);
    }

    public KvLimits Limits { get; }

    /// <summary>Bytes cut from the end at open (a record interrupted by a power cut).</summary>
    public long DroppedTailBytes { get; }

    public int Count { get { lock (_lock) return _entries.Count; } }

    public long LiveBytes { get { lock (_lock) return _liveBytes; } }

    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        lock (_lock) return _entries.TryGetValue(KeyString(key), out var v) ? (byte[])v.Clone() : null;
    }

    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        CheckKey(key);
        if (value.Length > Limits.MaxValueBytes)
            throw new KvQuotaException($"value of {value.Length} bytes is above the {Limits.MaxValueBytes}-byte limit");
        var k = KeyString(key);
        lock (_lock)
        {
            var old = _entries.TryGetValue(k, out var o) ? key.Length + o.Length : 0;
            var live = _liveBytes - old + key.Length + value.Length;
            if (live > Limits.MaxLiveBytes)
                throw new KvQuotaException($"store would hold {live} bytes, above the {Limits.MaxLiveBytes}-byte limit");
            if (old == 0 && !_entries.ContainsKey(k) && _entries.Count >= Limits.MaxEntries)
                throw new KvQuotaException($"store already holds the maximum of {Limits.MaxEntries} keys");
            Append(OpSet, key, value);
            _entries[k] = value.ToArray();
            _liveBytes = live;
            CompactIfWasteful();
        }
    }

    public bool Delete(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        var k = KeyString(key);
        lock (_lock)
        {
            if (!_entries.Remove(k, out var old)) return false;
            Append(OpDelete, key, []);
            _liveBytes -= key.Length + old.Length;
            CompactIfWasteful();
            return true;
        }
    }

    public void Dispose() => _log.Dispose();

    private void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length == 0) throw new KvQuotaException("empty key");
        if (key.Length > Limits.MaxKeyBytes) throw new KvQuotaException($"key of {key.Length} bytes is above the {Limits.MaxKeyBytes}-byte limit");
    }

    // Keys are arbitrary bytes; Latin-1 maps each byte to one char, so the mapping is lossless.
    private static string KeyString(ReadOnlySpan<byte> key) => System.Text.Encoding.Latin1.GetString(key);

    private static byte[] KeyBytes(string key) => System.Text.Encoding.Latin1.GetBytes(key);

    private static byte[] Encode(byte op, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var record = new byte[HeaderBytes + key.Length + value.Length + CrcBytes];
        record[0] = Magic;
        record[1] = op;
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(2), checked((ushort)key.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), checked((uint)value.Length));
        key.CopyTo(record.AsSpan(HeaderBytes));
        value.CopyTo(record.AsSpan(HeaderBytes + key.Length));
        var crc = Crc32.HashToUInt32(record.AsSpan(1, HeaderBytes - 1 + key.Length + value.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(record.Length - CrcBytes), crc);
        return record;
    }

    private void Append(byte op, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        _log.Write(Encode(op, key, value));
        _log.Flush(flushToDisk: true);
    }

    /// <summary>Applies every intact record; returns the length of the valid prefix.</summary>
    private long Replay()
    {
        _log.Seek(0, SeekOrigin.Begin);
        var data = new byte[_log.Length];
        _log.ReadExactly(data);
        var position = 0;
        while (true)
        {
            var rest = data.AsSpan(position);
            if (rest.Length < HeaderBytes + CrcBytes || rest[0] != Magic || rest[1] is not (OpSet or OpDelete)) break;
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(rest[2..]);
            var valueLength = BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
            if (keyLength == 0 || keyLength > Limits.MaxKeyBytes || valueLength > (uint)Limits.MaxValueBytes) break;
            var total = HeaderBytes + keyLength + (int)valueLength + CrcBytes;
            if (rest.Length < total) break;
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(rest[(total - CrcBytes)..]);
            if (crc != Crc32.HashToUInt32(rest[1..(total - CrcBytes)])) break;
            var key = KeyString(rest.Slice(HeaderBytes, keyLength));
            if (rest[1] == OpSet)
            {
                var value = rest.Slice(HeaderBytes + keyLength, (int)valueLength).ToArray();
                if (_entries.Remove(key, out var old)) _liveBytes -= keyLength + old.Length;
                _entries[key] = value;
                _liveBytes += keyLength + value.Length;
            }
            else if (_entries.Remove(key, out var old))
            {
                _liveBytes -= keyLength + old.Length;
            }
            position += total;
        }
        return position;
    }

    private void CompactIfWasteful()
    {
        var overhead = _entries.Count * (HeaderBytes + CrcBytes);
        if (_log.Length < 4096 || _log.Length <= 2 * (_liveBytes + overhead)) return;
        AtomicFile.Write(_path, output =>
        {
            foreach (var (k, v) in _entries.OrderBy(e => e.Key, StringComparer.Ordinal)) output.Write(Encode(OpSet, KeyBytes(k), v));
        });
        _log.Dispose(); // the old log, already replaced by the rename
        _log = OpenLog(_path, FileMode.Open);
        _log.Seek(0, SeekOrigin.End);
    }

    // FileShare.Delete lets compaction rename the new log over this open one (Windows refuses it otherwise).
    private static FileStream OpenLog(string path, FileMode mode) =>
        new(path, mode, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
}
