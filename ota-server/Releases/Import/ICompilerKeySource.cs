using System.Text;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;

namespace AtymSecure.OtaReleases.Import;

/// <summary>
/// The server's compiler key (docs/trust-model.md §1: online, one key for every <c>compiler-CLASS</c> role): it signs
/// each compiled output and its provenance at import, and every bundle the server cuts. The online key store of the
/// TUF image repository (ota-server/Metadata) implements this when it is wired; until then
/// <see cref="CompilerKeyFile"/> keeps it in the data folder.
/// </summary>
public interface ICompilerKeySource
{
    /// <summary>The key that signs <paramref name="deviceClass"/>'s outputs and bundles (the one its <c>compiler-CLASS</c> delegation lists).</summary>
    Task<ISigningKey> GetAsync(string deviceClass, CancellationToken ct = default);
}

/// <summary>
/// The compiler key as a file in the data folder (<c>keys/compiler.key</c>: encrypted PKCS#8, mode 0600 from creation,
/// and <c>keys/compiler.pub</c> beside it for devices' <c>--trust compiler=</c>). Made on first use as an
/// <b>Ed25519</b> key: its signatures are deterministic (RFC 8032), so two replicas cutting one bundle write the same
/// bytes (the key store's ECDSA keys do too, with RFC 6979 nonces). A key file readable by group or others is refused.
/// </summary>
public sealed class CompilerKeyFile : ICompilerKeySource, IDisposable
{
    private readonly string _path;
    private readonly PassphraseSource _passphrase;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SoftwareSigningKey? _key;

    /// <param name="path">The key file (its folder is created).</param>
    /// <param name="passphrase">Encrypts the key at rest (the service reads <c>ATYM_OTA_KEY_PASSPHRASE</c>).</param>
    public CompilerKeyFile(string path, PassphraseSource passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = Path.GetFullPath(path);
        _passphrase = passphrase ?? throw new ArgumentNullException(nameof(passphrase));
    }

    /// <summary>The public key file written next to the key.</summary>
    public string PublicKeyPath => Path.ChangeExtension(_path, ".pub");

    /// <summary>One key for every class.</summary>
    public async Task<ISigningKey> GetAsync(string deviceClass, CancellationToken ct = default)
    {
        if (_key is { } loaded) return loaded;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return _key ??= await LoadOrCreateAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<SoftwareSigningKey> LoadOrCreateAsync(CancellationToken ct)
    {
        if (!File.Exists(_path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            using var created = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);
            var pem = PrivateKeyFile.ToPem(created, _passphrase.Get());
            try
            {
                // CreateNew: a second process starting at the same moment keeps the first one's key.
                await AtomicFile.WriteAsync(_path, Encoding.ASCII.GetBytes(pem),
                    new AtomicWriteOptions { OwnerOnly = true, Mode = AtomicWriteMode.CreateNew }, ct).ConfigureAwait(false);
            }
            catch (IOException) when (File.Exists(_path))
            {
            }
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(_path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite |
                UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw new KeyFileException($"compiler key '{_path}' is readable or writable by others (mode must be 0600)");
        var key = await PrivateKeyFile.LoadAsync(_path, _passphrase, ct).ConfigureAwait(false);
        await AtomicFile.WriteAsync(PublicKeyPath, Encoding.ASCII.GetBytes(key.PublicKeyPem()), cancellationToken: ct).ConfigureAwait(false);
        return key;
    }

    public void Dispose()
    {
        _key?.Dispose();
        _gate.Dispose();
    }
}
