namespace AtymSecure.Registry.Hosting;

/// <summary>Codes of the problems <see cref="RegistryOptions.Validate"/> reports; the path is the option.</summary>
public static class RegistryOptionProblemCodes
{
    public const string Required = "required";
    public const string InvalidPath = "invalid-path";
    public const string InvalidListenUrl = "invalid-listen-url";
    public const string OutOfRange = "out-of-range";
    public const string FileNotFound = "file-not-found";
    public const string InvalidRegistryName = "invalid-registry-name";
    /// <summary><c>store</c> is not a <c>postgres://user@host:port/database</c> URL.</summary>
    public const string InvalidStore = "invalid-store";
    public const string InvalidBlobLocation = "invalid-blob-location";
}
