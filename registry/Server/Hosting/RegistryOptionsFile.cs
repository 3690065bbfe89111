using AtymSecure.Primitives;

namespace AtymSecure.Registry.Hosting;

/// <summary>Loads <see cref="RegistryOptions"/> from a JSON or YAML file (camelCase keys, TimeSpans as "01:00:00").</summary>
public static class RegistryOptionsFile
{
    /// <summary>Reads the file; unknown keys and malformed values throw <see cref="InvalidDataException"/>.
    /// Relative paths inside (dataDirectory, authConfigPath, policyDirectory, policyKeysDirectory) are resolved against the file's folder.</summary>
    public static RegistryOptions Load(string path)
    {
        var options = ConfigDocument.Load<RegistryOptions>(path, ConfigFile.StrictJson);
        return options with
        {
            DataDirectory = ConfigFile.ResolveRelative(path, options.DataDirectory)!,
            AuthConfigPath = ConfigFile.ResolveRelative(path, options.AuthConfigPath),
            PolicyDirectory = ConfigFile.ResolveRelative(path, options.PolicyDirectory),
            PolicyKeysDirectory = ConfigFile.ResolveRelative(path, options.PolicyKeysDirectory),
        };
    }
}
