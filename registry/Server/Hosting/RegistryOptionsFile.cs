namespace AtymSecure.Registry.Hosting;

/// <summary>Loads <see cref="RegistryOptions"/> from a JSON or YAML file (camelCase keys, TimeSpans as "01:00:00").</summary>
public static class RegistryOptionsFile
{
    /// <summary>Reads the file; unknown keys and malformed values throw <see cref="InvalidDataException"/>.
    /// Relative paths inside (dataDirectory, authConfigPath) are resolved against the file's folder.</summary>
    public static RegistryOptions Load(string path)
    {
        var options = ConfigDocument.Load<RegistryOptions>(path, RegistryOptions.JsonOptions);
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return options with
        {
            DataDirectory = Path.IsPathRooted(options.DataDirectory) ? options.DataDirectory : Path.Combine(baseDirectory, options.DataDirectory),
            AuthConfigPath = options.AuthConfigPath is null || Path.IsPathRooted(options.AuthConfigPath)
                ? options.AuthConfigPath : Path.Combine(baseDirectory, options.AuthConfigPath),
        };
    }
}
