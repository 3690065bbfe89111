using System.Security.Cryptography;
using System.Text;
using AtymSecure.Primitives;

namespace AtymSecure.Auth;

/// <summary>The token signing key as a PKCS#8 PEM file; created (owner-only from its first byte, atomically) when missing.</summary>
public static class SigningKeyFile
{
    public static ECDsa LoadOrCreate(string path)
    {
        var key = ECDsa.Create();
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            if (key.KeySize != 256) throw new InvalidDataException($"{path}: the token signing key must be an EC P-256 key");
            return key;
        }
        key.GenerateKey(ECCurve.NamedCurves.nistP256);
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem()),
            new AtomicWriteOptions { Mode = AtomicWriteMode.CreateNew, OwnerOnly = true });
        return key;
    }
}
