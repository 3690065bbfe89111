using System.Text.RegularExpressions;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Repository;

/// <summary>
/// One repository's published metadata files in a folder, under the names devices fetch (<c>3.root.json</c>,
/// <c>12.snapshot.json</c>, <c>timestamp.json</c>). Versioned files are written once (create-new, atomic, fsynced) and
/// kept forever, so every device can walk any chain; only the unversioned files (<c>timestamp.json</c>) are replaced,
/// in one rename. Names are checked against one grammar, so no request can leave the folder.
/// </summary>
public sealed partial class MetadataFolder
{
    /// <summary>Largest metadata file served or stored (the verifier's largest cap, a delegated targets file).</summary>
    public const long MaxFileBytes = 1024 * 1024;

    public MetadataFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary><c>[VERSION.]ROLE.json</c> with ROLE a role name (<c>[a-z0-9][a-z0-9._-]*</c>).</summary>
    public static bool IsFileName(string name) => name.Length <= 160 && FileNameGrammar().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    public byte[]? Read(string name)
    {
        if (!IsFileName(name)) return null;
        var path = System.IO.Path.Combine(Path, name);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // the folder deleted under a running server (an operator's mistake): nothing published, not a 500
        }
    }

    public bool Exists(string name) => IsFileName(name) && File.Exists(System.IO.Path.Combine(Path, name));

    /// <summary>
    /// Writes a versioned file; refuses to replace one (published versions never change). On a folder that replicas
    /// share this is the version fence: of two writers of the same version exactly one succeeds (create-new is a
    /// link, atomic), the other gets <see cref="MetadataVersionConflictException"/>.
    /// </summary>
    public void WriteOnce(string name, ReadOnlySpan<byte> bytes)
    {
        try
        {
            Write(name, bytes, AtomicWriteMode.CreateNew);
        }
        catch (IOException e) when (Exists(name))
        {
            throw new MetadataVersionConflictException(name, "that version is written already", e);
        }
    }

    /// <summary>Replaces an unversioned file (<c>timestamp.json</c>) in one rename.</summary>
    public void Replace(string name, ReadOnlySpan<byte> bytes) => Write(name, bytes, AtomicWriteMode.Overwrite);

    private void Write(string name, ReadOnlySpan<byte> bytes, AtomicWriteMode mode)
    {
        if (!IsFileName(name)) throw new ArgumentException($"'{name}' is not a metadata file name", nameof(name));
        AtomicFile.Write(System.IO.Path.Combine(Path, name), bytes, new AtomicWriteOptions { Mode = mode });
    }

    /// <summary>The versions of <c>N.ROLE.json</c> present, ascending.</summary>
    public IReadOnlyList<long> Versions(string role)
    {
        var versions = new List<long>();
        if (!Directory.Exists(Path)) return versions;
        foreach (var file in Directory.EnumerateFiles(Path, "*." + role + ".json"))
        {
            var name = System.IO.Path.GetFileName(file);
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (name[(dot + 1)..] != role + ".json") continue;
            if (long.TryParse(name.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0)
                versions.Add(v);
        }
        versions.Sort();
        return versions;
    }

    [GeneratedRegex(@"^([1-9][0-9]{0,15}\.)?[a-z0-9][a-z0-9._-]{0,127}\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNameGrammar();
}
