namespace AtymSecure.Delivery.Compilation;

/// <summary>
/// Stable codes of the problems <see cref="CompilationRecipe.Parse"/> and <see cref="CompilationRecipe.Validate"/> report;
/// the path is the JSON path of the member at fault. Problems of the recipe's key keep
/// <see cref="CompilationKeyProblemCodes"/>, with the path under <c>$.key</c>.
/// </summary>
public static class CompilationRecipeProblemCodes
{
    public const string TooLarge = "too-large";
    public const string MalformedJson = "malformed-json";
    public const string Required = "required";
    public const string UnsupportedSchema = "unsupported-schema";
    public const string UnknownDeviceClass = "unknown-device-class";
    public const string InvalidDigest = "invalid-digest";
    public const string NegativeSize = "negative-size";

    /// <summary><c>keyDigest</c> is not the digest of the key the recipe holds.</summary>
    public const string KeyDigestMismatch = "key-digest-mismatch";

    /// <summary>The recipe's output digest is not that of the artifact it travels with.</summary>
    public const string OutputMismatch = "output-mismatch";
}
