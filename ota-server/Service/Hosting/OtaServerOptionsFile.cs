using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Hosting;

/// <summary>Loads <see cref="OtaServerOptions"/> from a JSON file through <see cref="ConfigFile"/> (camelCase keys, comments allowed, unknown keys refused).</summary>
public static class OtaServerOptionsFile
{
    /// <summary>Relative paths inside (dataDirectory, certificatePath, certificateKeyPath, policies, vendorKeyFiles) are resolved against the file's folder.</summary>
    /// <exception cref="InvalidDataException">Unreadable, too large, unknown keys or malformed values (the message names the file).</exception>
    public static OtaServerOptions Load(string path)
    {
        var options = ConfigFile.Load<OtaServerOptions>(path, ConfigFile.StrictJson);
        return options with
        {
            DataDirectory = ConfigFile.ResolveRelative(path, options.DataDirectory)!,
            CertificatePath = ConfigFile.ResolveRelative(path, options.CertificatePath),
            CertificateKeyPath = ConfigFile.ResolveRelative(path, options.CertificateKeyPath),
            Policies = ConfigFile.ResolveRelative(path, options.Policies),
            VendorKeyFiles = [.. options.VendorKeyFiles.Select(f => ConfigFile.ResolveRelative(path, f)!)],
        };
    }
}
