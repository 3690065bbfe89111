namespace AtymSecure.Formats.Bundle;

/// <summary>
/// What a trusted bundle key may sign (docs/trust-model.md §1, §2, step 13). A key has exactly one role: a key
/// without one is the weakness of issue 11 §1 and §5 (any key signing any container and any code kind).
/// </summary>
public enum BundleKeyRole
{
    /// <summary>Signs Wasm bundles (ArtifactKind 1) of the containers its pattern covers; never native code.</summary>
    Vendor = 1,

    /// <summary>The compiler identity (the OTA server's compile key, or one the operator designates): any code kind.</summary>
    Compiler = 2,

    /// <summary>Signs recovery bundles only (the one install a device in recovery accepts), and nothing else.</summary>
    Recovery = 3,
}

/// <summary>The role names of <c>--trust ROLE=KEY[:PATTERN]</c> and trust.json, in one place.</summary>
public static class BundleKeyRoles
{
    public static string NameOf(BundleKeyRole role) => role switch
    {
        BundleKeyRole.Vendor => "vendor",
        BundleKeyRole.Compiler => "compiler",
        BundleKeyRole.Recovery => "recovery",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown bundle key role"),
    };

    public static bool TryParse(string? text, out BundleKeyRole role)
    {
        role = text switch
        {
            "vendor" => BundleKeyRole.Vendor,
            "compiler" => BundleKeyRole.Compiler,
            "recovery" => BundleKeyRole.Recovery,
            _ => 0,
        };
        return role != 0;
    }

    /// <summary>For messages: the three forms a trusted key is given in.</summary>
    public const string Forms = "vendor=KEY:PATTERN, compiler=KEY[:PATTERN] or recovery=KEY[:PATTERN]";
}
