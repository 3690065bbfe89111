using AtymSecure.Formats.Crypto;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Signer.Tests.Infrastructure;

/// <summary>Keys shared by tests (generation is cheap, but key ids stay stable within a run).</summary>
public static class TestKeys
{
    public static SoftwareSigningKey EcdsaA { get; } = KeyGenerator.Generate(SignatureAlgorithm.EcdsaP256Sha256);
    public static SoftwareSigningKey EcdsaB { get; } = KeyGenerator.Generate(SignatureAlgorithm.EcdsaP256Sha256);
    public static SoftwareSigningKey Ed25519A { get; } = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);

    public static SoftwareSigningKey Of(SignatureAlgorithm algorithm) =>
        algorithm == SignatureAlgorithm.Ed25519 ? Ed25519A : EcdsaA;
}
