using System.Security.Cryptography;
using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// The HMAC key of device sessions: 32 random bytes in <c>DATA/keys/session.key</c>, mode 0600 from creation, made on the
/// first start (AtomicFile, CreateNew, so two racing starts agree on one key). Deleting the file ends every session at
/// the next start. A file of the wrong size or readable by others is refused: that key may have leaked.
/// </summary>
public sealed class SessionKey
{
    public const int KeyBytes = 32;

    private SessionKey(byte[] key) => Key = key;

    internal byte[] Key { get; }

    public static SessionKey LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "keys", "session.key");
        if (!File.Exists(path))
        {
            try
            {
                AtomicFile.Write(path, RandomNumberGenerator.GetBytes(KeyBytes), new AtomicWriteOptions { OwnerOnly = true, Mode = AtomicWriteMode.CreateNew });
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another start created it first: use that one.
            }
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new InvalidDataException($"{path} is readable or writable by group or others (must be 0600): delete it to make a new one");
        var key = File.ReadAllBytes(path);
        if (key.Length != KeyBytes) throw new InvalidDataException($"{path} holds {key.Length} bytes, expected {KeyBytes}: delete it to make a new one");
        return new SessionKey(key);
    }
}
