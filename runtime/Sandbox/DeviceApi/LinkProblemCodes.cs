namespace AtymSecure.Runtime.DeviceApi;

/// <summary>Codes of the imports <see cref="ImportLinker"/> refuses (the build-time check uses the same words for the same rules).</summary>
public static class LinkProblemCodes
{
    public const string NotAFunction = "import-not-a-function";
    public const string UnknownImport = "unknown-import";
    public const string ImportSignature = "import-signature";
    public const string ImportNotGranted = "import-not-granted";
}
