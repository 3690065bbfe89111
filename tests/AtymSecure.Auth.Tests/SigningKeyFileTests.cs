using System.Security.Cryptography;
using AtymSecure.TestSupport;

namespace AtymSecure.Auth.Tests;

public sealed class SigningKeyFileTests : IDisposable
{
    private readonly TempFolder _dir = TempFolder.Create("auth-key");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_missing_key_file_is_created_and_the_same_key_is_loaded_next_time()
    {
        var path = _dir.File("auth/token-signing-key.pem");
        string first;
        using (var key = TokenSigningKey.LoadOrCreate(path)) first = key.KeyId;
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        using var again = TokenSigningKey.LoadOrCreate(path);
        Assert.Equal(first, again.KeyId);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void The_key_file_is_created_owner_only_and_its_mode_is_never_changed_afterwards()
    {
        if (!OperatingSystem.IsLinux()) return; // inotify proves the absence of a later chmod
        var path = _dir.File("token-signing-key.pem");
        using var changes = FileAttributeChanges.Watch(_dir.Path);

        using (var key = SigningKeyFile.LoadOrCreate(path)) Assert.Equal(256, key.KeySize);

        Assert.Empty(changes.Drain()); // a chmod after the write would show here: the key was readable by others until then
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["token-signing-key.pem"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_key_file_that_is_not_P256_is_refused()
    {
        var path = _dir.File("p384.pem");
        using (var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384)) File.WriteAllText(path, p384.ExportPkcs8PrivateKeyPem());
        Assert.Contains("P-256", Assert.Throws<InvalidDataException>(() => SigningKeyFile.LoadOrCreate(path)).Message);
    }
}
