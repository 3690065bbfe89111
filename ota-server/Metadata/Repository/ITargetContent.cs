using System.Security.Cryptography;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Repository;

/// <summary>
/// Where target bytes (compiled images, source Wasm) come from when a TUF client downloads them: the releases
/// library's content-addressed store, or <see cref="FolderTargetContent"/>. Keyed by sha256 hex: the metadata
/// already says which bytes a path must have.
/// </summary>
public interface ITargetContent
{
    /// <summary>A stream over the bytes with this sha256, or null when they are not held.</summary>
    Stream? Open(string sha256);
}

/// <summary>Target bytes as files <c>sha256/HEX</c> in a folder, written atomically and checked on the way in.</summary>
public sealed class FolderTargetContent : ITargetContent
{
    private readonly string _folder;

    public FolderTargetContent(string folder)
    {
        _folder = Path.Combine(Path.GetFullPath(folder), "sha256");
        Directory.CreateDirectory(_folder);
    }

    /// <summary>Stores <paramref name="bytes"/>; returns their sha256 hex.</summary>
    public string Put(ReadOnlySpan<byte> bytes)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var path = Path.Combine(_folder, hex);
        if (!File.Exists(path)) AtomicFile.Write(path, bytes);
        return hex;
    }

    public Stream? Open(string sha256)
    {
        if (sha256.Length != 64 || !Formats.UpdateMetadata.Model.TufKey.IsLowerHex(sha256)) return null;
        var path = Path.Combine(_folder, sha256);
        return File.Exists(path) ? File.OpenRead(path) : null;
    }
}
