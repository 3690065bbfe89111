using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;

namespace AtymSecure.Runtime.Artifacts;

/// <summary>
/// Artifact bytes whose length and SHA-256 matched signed metadata. The only way to obtain one is
/// <see cref="Verify"/>, and the bytes are a private copy taken before hashing, so what is later
/// deserialized is exactly what was checked. Deserializing precompiled code is running native code:
/// <see cref="ModuleLoader"/> accepts nothing but this type.
/// </summary>
public sealed class VerifiedArtifact
{
    private readonly byte[] _bytes;

    private VerifiedArtifact(ArtifactExpectation expectation, byte[] bytes)
    {
        Expectation = expectation;
        _bytes = bytes;
    }

    public ArtifactExpectation Expectation { get; }

    public ArtifactKind Kind => Expectation.Kind;

    public string Name => Expectation.Name;

    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Copies <paramref name="bytes"/>, checks length and SHA-256 against <paramref name="expected"/>.</summary>
    /// <exception cref="ArtifactVerificationException">Any mismatch or unusable metadata; names the artifact.</exception>
    public static VerifiedArtifact Verify(ReadOnlySpan<byte> bytes, ArtifactExpectation expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var problems = new List<string>();
        if (expected.Length is < 0 or > ArtifactExpectation.MaxLength)
            problems.Add($"declared length {expected.Length} is outside 0..{ArtifactExpectation.MaxLength}");
        if (expected.Sha256.Length != 64 || !expected.Sha256.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)))
            problems.Add("declared sha256 is not 64 lower-case hex digits");
        if (expected.Kind == ArtifactKind.Wasm2cObject)
            problems.Add("wasm2c objects are linked into MCU firmware; this runtime cannot load them");
        if (expected.IsPrecompiled && (string.IsNullOrEmpty(expected.DeviceClass) || string.IsNullOrEmpty(expected.TargetTriple)))
            problems.Add("precompiled artifact without the device class and target triple it was compiled for");
        if (problems.Count == 0 && bytes.Length != expected.Length)
            problems.Add($"length {bytes.Length} differs from the signed length {expected.Length}");
        if (problems.Count > 0)
            throw new ArtifactVerificationException($"artifact '{expected.Name}' rejected: {string.Join("; ", problems)}");

        var copy = bytes.ToArray();
        var actual = Convert.ToHexStringLower(SHA256.HashData(copy));
        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(actual), System.Text.Encoding.ASCII.GetBytes(expected.Sha256)))
            throw new ArtifactVerificationException($"artifact '{expected.Name}' rejected: sha256 {actual} differs from the signed sha256 {expected.Sha256}");
        return new VerifiedArtifact(expected, copy);
    }

    /// <summary>Convenience for callers that hold a file: reads it (bounded) and verifies.</summary>
    public static VerifiedArtifact VerifyFile(string path, ArtifactExpectation expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var info = new FileInfo(path);
        if (!info.Exists) throw new ArtifactVerificationException($"artifact '{expected.Name}' rejected: file '{path}' does not exist");
        if (info.Length > ArtifactExpectation.MaxLength)
            throw new ArtifactVerificationException($"artifact '{expected.Name}' rejected: file is {info.Length} bytes, above {ArtifactExpectation.MaxLength}");
        return Verify(File.ReadAllBytes(path), expected);
    }
}
