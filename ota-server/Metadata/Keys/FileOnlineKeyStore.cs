using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Keys;

/// <summary>
/// Online keys as files in the server's data folder: <c>ROLE.N.key</c> (PKCS#8 PEM, ECDSA P-256, mode 0600 from
/// creation, written atomically) and <c>ROLE.N.pub</c> (the public half, for the operator's <c>atym tuf</c>), N = 1,
/// 2, … per role. A key file readable by group or others is refused, as ssh refuses one: a key that may have leaked
/// must be rotated, not used. Keys are never deleted here; a revoked key simply stops being listed.
/// </summary>
public sealed partial class FileOnlineKeyStore : IOnlineKeyStore, IDisposable
{
    public const string KeyProblem = "online-key-file";
    private const int MaxKeyFileBytes = 8 * 1024;

    private readonly string _folder;
    private readonly Lock _gate = new();
    private readonly Dictionary<OnlineRole, List<SoftwareOnlineKey>> _keys = [];

    public FileOnlineKeyStore(string folder)
    {
        _folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(_folder);
        foreach (var role in OnlineRoleNames.All) _keys[role] = Load(role);
    }

    public string Folder => _folder;

    public IReadOnlyList<IOnlineKey> Keys(OnlineRole role)
    {
        lock (_gate) return [.. _keys[role]];
    }

    /// <summary>The role's keys, making the first one when there is none (a fresh data folder).</summary>
    public IReadOnlyList<IOnlineKey> EnsureKey(OnlineRole role)
    {
        lock (_gate)
        {
            if (_keys[role].Count == 0) Generate(role);
            return [.. _keys[role]];
        }
    }

    public IOnlineKey Generate(OnlineRole role)
    {
        lock (_gate)
        {
            var generation = _keys[role].Count == 0 ? 1 : _keys[role][^1].Generation + 1;
            var key = new SoftwareOnlineKey(role, generation, ECDsa.Create(ECCurve.NamedCurves.nistP256));
            var pem = key.PrivateKeyPem();
            // CreateNew: two processes on one folder never overwrite each other's key.
            AtomicFile.Write(KeyPath(role, generation), Encoding.ASCII.GetBytes(pem),
                new AtomicWriteOptions { OwnerOnly = true, Mode = AtomicWriteMode.CreateNew });
            AtomicFile.Write(Path.Combine(_folder, $"{role.Name()}.{generation}.pub"), Encoding.ASCII.GetBytes(key.PublicKeyPem()));
            _keys[role].Add(key);
            return key;
        }
    }

    private string KeyPath(OnlineRole role, int generation) => Path.Combine(_folder, $"{role.Name()}.{generation}.key");

    private List<SoftwareOnlineKey> Load(OnlineRole role)
    {
        var keys = new List<SoftwareOnlineKey>();
        foreach (var path in Directory.EnumerateFiles(_folder, role.Name() + ".*.key"))
        {
            var match = KeyFileName().Match(Path.GetFileName(path));
            if (!match.Success || match.Groups["role"].Value != role.Name()) continue;
            keys.Add(Read(role, int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture), path));
        }
        keys.Sort((a, b) => a.Generation.CompareTo(b.Generation));
        return keys;
    }

    private static SoftwareOnlineKey Read(OnlineRole role, int generation, string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw Refuse(path, "is readable or writable by group or others (must be 0600): rotate this key, it may have leaked");
        var info = new FileInfo(path);
        if (info.Length > MaxKeyFileBytes) throw Refuse(path, $"is {info.Length} bytes, limit {MaxKeyFileBytes}");
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid?.Value != "1.2.840.10045.3.1.7")
                throw Refuse(path, "is not an ECDSA P-256 private key");
            return new SoftwareOnlineKey(role, generation, key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw Refuse(path, $"is not a PKCS#8 PEM private key: {e.Message}");
        }
    }

    private static ProblemException Refuse(string path, string what) =>
        new("online key store", new Problem(KeyProblem, path, $"online key file {what}"));

    public void Dispose()
    {
        foreach (var key in _keys.Values.SelectMany(k => k)) key.Dispose();
    }

    [GeneratedRegex(@"^(?<role>[a-z-]+)\.(?<n>[1-9][0-9]{0,8})\.key$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyFileName();
}
