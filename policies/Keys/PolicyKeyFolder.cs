using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using AtymSecure.Policies.Model;

namespace AtymSecure.Policies.Keys;

/// <summary>
/// The public keys a trust policy names, read from a folder of <c>*.pub</c> files (PEM or DER) and found by the
/// fingerprint the policy writes (<see cref="TrustKey.SpkiSha256"/>: lower-case hex SHA-256 of the DER SPKI). A policy
/// names keys only by fingerprint, so a file's name means nothing and a key file nobody names is never trusted.
/// </summary>
public sealed class PolicyKeyFolder
{
    /// <summary>More key files than any policy needs means a wrong folder.</summary>
    public const int MaxFiles = 1024;

    private readonly Dictionary<string, VerificationKey> _byFingerprint;

    private PolicyKeyFolder(Dictionary<string, VerificationKey> byFingerprint) => _byFingerprint = byFingerprint;

    public static PolicyKeyFolder Empty { get; } = new(new Dictionary<string, VerificationKey>(StringComparer.Ordinal));

    public int Count => _byFingerprint.Count;

    /// <exception cref="InvalidPublicKeyException">a file is not a public key (the message names it)</exception>
    public static PolicyKeyFolder Load(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"policy keys folder '{folder}' does not exist");
        var files = Directory.GetFiles(folder, "*.pub").Order(StringComparer.Ordinal).ToList();
        if (files.Count > MaxFiles) throw new InvalidDataException($"policy keys folder '{folder}' has {files.Count} .pub files, more than {MaxFiles}");
        var keys = new Dictionary<string, VerificationKey>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var key = VerificationKey.FromFile(file);
            keys.TryAdd(FingerprintOf(key), key);
        }
        return new PolicyKeyFolder(keys);
    }

    /// <summary>The trust policy's spelling of a key: hex SHA-256 of its DER SubjectPublicKeyInfo.</summary>
    public static string FingerprintOf(VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.Spki));
    }

    public VerificationKey? Find(TrustKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _byFingerprint.GetValueOrDefault(key.SpkiSha256);
    }
}
