namespace AtymSecure.Bootloader.Flash;

/// <summary>Erasing a range sector by sector (a slot before an install, a state half before a compaction).</summary>
internal static class FlashEraseExtensions
{
    /// <summary>Erases every sector holding a byte of [<paramref name="offset"/>, +<paramref name="length"/>); <paramref name="offset"/> starts a sector.</summary>
    public static void EraseSectors(this IFlash flash, long offset, long length)
    {
        var g = flash.Geometry;
        for (var at = offset; at < offset + length; at += g.SectorSize(g.SectorIndexAt(at)))
            flash.EraseSector(at);
    }
}
