using System.Security.Cryptography;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// The hashes a DDI artifact lists (<c>hashes.sha256/sha1/md5</c>) that its source does not already know: one pass over
/// the file, one incremental hash per algorithm asked for, lowercase hex in that order, and the bytes read.
/// </summary>
internal static class DdiArtifactHashes
{
    public static Task<(long Length, string[] Hex)> OfFileAsync(string path, IReadOnlyList<HashAlgorithmName> algorithms, CancellationToken ct) =>
        OfStreamAsync(File.OpenRead(path), algorithms, ct);

    /// <summary>The same over <paramref name="stream"/> (read to its end, then disposed).</summary>
    public static async Task<(long Length, string[] Hex)> OfStreamAsync(Stream stream, IReadOnlyList<HashAlgorithmName> algorithms, CancellationToken ct)
    {
        var hashes = algorithms.Select(IncrementalHash.CreateHash).ToArray();
        try
        {
            long length = 0;
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    foreach (var hash in hashes) hash.AppendData(buffer, 0, read);
                    length += read;
                }
            }
            return (length, [.. hashes.Select(h => Convert.ToHexStringLower(h.GetHashAndReset()))]);
        }
        finally
        {
            foreach (var hash in hashes) hash.Dispose();
        }
    }
}
