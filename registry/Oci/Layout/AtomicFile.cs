namespace AtymSecure.Oci.Layout;

/// <summary>Writes that are never seen half-done: temp file in the same filesystem, flush to disk, rename.</summary>
internal static class AtomicFile
{
    public static async Task WriteAllBytesAsync(string path, string tempDirectory, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        Directory.CreateDirectory(tempDirectory);
        var temp = Path.Combine(tempDirectory, $"{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync(content, ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file in ingest/ is harmless and never read.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
