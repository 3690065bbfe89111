using AtymSecure.TestSupport;
using AtymSecure.Bootloader.Tests.Support;
using System.Buffers.Binary;
using System.IO.Hashing;
using AtymSecure.Bootloader.Flash;
using CsCheck;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.FilePort;

namespace AtymSecure.Bootloader.Tests.Flash;

/// <summary>Damaged, truncated and foreign flash files: every one is refused with a specific <see cref="FlashImageFileException"/>.</summary>
public sealed class FileBackedFlashFileFormatTests : IDisposable
{
    // Two 4 KiB sectors, alignment 4: header 32 + 8 + 4 = 44 bytes, then (4 + 4096) per sector.
    private const int HeaderLength = 44;
    private readonly TempFolder _temp = TempFolder.Create("fileflash-fmt");
    private readonly byte[] _good;

    public FileBackedFlashFileFormatTests()
    {
        var path = Path.Combine(_temp.Path, "good.flash");
        using (var flash = FileBackedFlash.Create(path, new FlashGeometry([4096, 4096], 4, 0xFF, 50)))
        {
            flash.EraseSector(4096);
            flash.Program(4096, [1, 2, 3, 4]);
        }
        _good = File.ReadAllBytes(path);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_untouched_file_opens()
    {
        using var flash = Open(_good);
        Assert.Equal([0, 1], flash.EraseCounts);
    }

    [Theory]
    [InlineData(0, "too short")]
    [InlineData(10, "too short")]
    [InlineData(39, "too short")]
    [InlineData(43, "truncated inside its header")]
    [InlineData(HeaderLength + 4 + 4096 + 4 + 4095, "expected 8244")]
    public void A_truncated_file_is_refused(int length, string expected) =>
        AssertRefused(_good[..length], expected);

    [Fact]
    public void An_extended_file_is_refused() => AssertRefused([.. _good, 0xFF], "is 8245 bytes, expected 8244");

    [Fact]
    public void A_wrong_magic_is_refused() => AssertRefused(With(_good, 0, (byte)'X', fixCrc: true), "wrong magic");

    [Fact]
    public void A_simulator_snapshot_is_recognised_and_named()
    {
        var snapshot = Path.Combine(_temp.Path, "snapshot.flash");
        FlashImageFile.Save(new SimulatedNorFlash(new FlashGeometry([4096], 4, 0xFF, 50)), snapshot);
        var e = Assert.Throws<FlashImageFileException>(() => FileBackedFlash.Open(snapshot));
        Assert.Contains("simulator snapshot (ASFL), not a file-backed flash", e.Message);
    }

    [Fact]
    public void An_unknown_version_is_refused() => AssertRefused(WithU32(_good, 4, 2), "version 2 is not supported");

    [Theory]
    [InlineData(0u, "0 sectors")]
    [InlineData(70000u, "70000 sectors")]
    [InlineData(3u, "does not match its 3 sectors")]
    public void A_bad_sector_count_is_refused(uint count, string expected) => AssertRefused(WithU32(_good, 12, count), expected);

    [Fact]
    public void A_wrong_header_length_is_refused() => AssertRefused(WithU32(_good, 8, 48), "header length 48");

    [Theory]
    [InlineData(16)] // alignment
    [InlineData(24)] // erased value
    [InlineData(33)] // a sector size
    [InlineData(HeaderLength - 1)] // the checksum itself
    public void A_damaged_header_byte_fails_the_checksum(int at) =>
        AssertRefused(With(_good, at, (byte)(_good[at] ^ 0x04), fixCrc: false), "checksum mismatch");

    [Theory]
    [InlineData(16, 3u, "write alignment")]
    [InlineData(20, 0u, "endurance")]
    [InlineData(32, 1000u, "power of two")]
    [InlineData(32, 0x8000_0000u, "power of two")]
    [InlineData(24, 0x7Fu, "erased value")]
    public void A_header_with_a_valid_checksum_but_an_impossible_part_is_refused(int at, uint value, string expected)
    {
        var bytes = at == 24 ? With(_good, 24, (byte)value, fixCrc: true) : FixCrc(WithU32(_good, at, value));
        var e = AssertRefused(bytes, "invalid part");
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Non_zero_reserved_bytes_are_refused() => AssertRefused(With(_good, 28, 1, fixCrc: true), "reserved");

    [Fact]
    public void A_part_above_the_size_limit_is_refused_before_anything_is_read()
    {
        // 1025 sectors of 256 KiB = 256.25 MiB; only the header exists (the limit check comes before the length check).
        var header = new byte[32 + 4 * 1025 + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x42465341);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)header.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), 1025);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 10);
        header[24] = 0xFF;
        for (var i = 0; i < 1025; i++) BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(32 + 4 * i), 256 * 1024);
        AssertRefused(FixCrc(header), "too large");
    }

    [Theory]
    [InlineData(51)]
    [InlineData(-1)]
    public void An_erase_count_outside_the_endurance_is_refused(int count)
    {
        var bytes = (byte[])_good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(HeaderLength + 4 + 4096), count);
        AssertRefused(bytes, $"sector 1 has erase count {count}");
    }

    [Fact]
    public void Random_bytes_never_open_and_never_raise_anything_but_the_typed_exception() =>
        // Up to 600 bytes: shorter than the smallest valid file (40 + 4 + 512), so nothing may open.
        Gen.Byte.Array[0, 600].Sample(bytes => Outcome(bytes) is FlashImageFileException, iter: 300);

    [Fact]
    public void Random_bytes_behind_a_valid_magic_and_version_raise_only_the_typed_exception() =>
        Gen.Byte.Array[0, 9000].Sample(tail => Outcome([.. _good.AsSpan(0, 8), .. tail]) is null or FlashImageFileException, iter: 300);

    [Fact]
    public void Random_damage_to_a_valid_file_opens_or_raises_only_the_typed_exception()
    {
        // One byte set anywhere in header + first erase count (with the checksum fixed or not), then maybe truncated.
        Gen.Select(Gen.Int[0, HeaderLength + 8], Gen.Byte, Gen.Bool, Gen.Int[0, 3]).Sample((at, value, fixCrc, cut) =>
        {
            var bytes = at < HeaderLength ? With(_good, at, value, fixCrc) : (byte[])_good.Clone();
            if (at >= HeaderLength) bytes[at] = value;
            if (cut == 0) bytes = bytes[..(at % bytes.Length)];
            return Outcome(bytes) is null or FlashImageFileException;
        }, iter: 400);
    }

    [Fact]
    public void Single_bit_flips_in_the_header_are_always_detected()
    {
        for (var bit = 0; bit < HeaderLength * 8; bit++)
        {
            var bytes = (byte[])_good.Clone();
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.IsType<FlashImageFileException>(Outcome(bytes));
        }
    }

    /// <summary>Null when the bytes open as a flash (and it is disposed), else the exception Open raised.</summary>
    private Exception? Outcome(byte[] bytes)
    {
        var path = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N") + ".flash");
        File.WriteAllBytes(path, bytes);
        try
        {
            FileBackedFlash.Open(path).Dispose();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private FileBackedFlash Open(byte[] bytes)
    {
        var path = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N") + ".flash");
        File.WriteAllBytes(path, bytes);
        return FileBackedFlash.Open(path);
    }

    private FlashImageFileException AssertRefused(byte[] bytes, string expected)
    {
        var e = Assert.IsType<FlashImageFileException>(Outcome(bytes));
        Assert.Contains(expected, e.Message);
        return e;
    }

    private static byte[] With(byte[] source, int at, byte value, bool fixCrc)
    {
        var bytes = (byte[])source.Clone();
        bytes[at] = value;
        return fixCrc && at < HeaderLength - 4 ? FixCrc(bytes) : bytes;
    }

    private static byte[] WithU32(byte[] source, int at, uint value)
    {
        var bytes = (byte[])source.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
        return bytes;
    }

    /// <summary>Recomputes the header checksum where the header's own sector count says it is.</summary>
    private static byte[] FixCrc(byte[] bytes)
    {
        var count = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        var crcAt = 32 + 4 * (int)Math.Min(count, 70000);
        if (crcAt + 4 > bytes.Length) return bytes;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(crcAt), Crc32.HashToUInt32(bytes.AsSpan(0, crcAt)));
        return bytes;
    }
}
