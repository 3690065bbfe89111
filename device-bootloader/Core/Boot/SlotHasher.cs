using System.Security.Cryptography;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Boot;

/// <summary>SHA-256 over the first <c>size</c> bytes of a slot, read in bounded chunks.</summary>
public static class SlotHasher
{
    private const int ChunkBytes = 4096;

    public static Digest Hash(IFlash flash, Partition slot, long size)
    {
        ArgumentNullException.ThrowIfNull(flash);
        ArgumentNullException.ThrowIfNull(slot);
        if (size < 0 || size > slot.Size) throw new ArgumentOutOfRangeException(nameof(size), size, $"slot holds {slot.Size} bytes");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        for (long done = 0; done < size;)
        {
            var n = (int)Math.Min(ChunkBytes, size - done);
            flash.Read(slot.Offset + done, buffer.AsSpan(0, n));
            hash.AppendData(buffer, 0, n);
            done += n;
        }
        Span<byte> digest = stackalloc byte[Digest.Sha256Size];
        hash.GetHashAndReset(digest);
        return Digest.FromSha256(digest);
    }

    /// <summary>True when the slot holds exactly the image <paramref name="info"/> describes.</summary>
    public static bool Matches(IFlash flash, Partition slot, SlotImageInfo info) =>
        info.Present && info.Size <= slot.Size && Hash(flash, slot, info.Size) == info.Digest;
}
