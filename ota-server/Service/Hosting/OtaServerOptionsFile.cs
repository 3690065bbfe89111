using System.Text.Json;

namespace AtymSecure.OtaServer.Hosting;

/// <summary>Loads <see cref="OtaServerOptions"/> from a JSON file (camelCase keys, comments allowed, unknown keys refused).</summary>
public static class OtaServerOptionsFile
{
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>Relative paths inside (dataDirectory, certificatePath, certificateKeyPath) are resolved against the file's folder.</summary>
    /// <exception cref="InvalidDataException">Unreadable, too large, unknown keys or malformed values (the message names the file).</exception>
    public static OtaServerOptions Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"configuration file '{path}' does not exist", path);
        if (info.Length > MaxFileBytes) throw new InvalidDataException($"{path}: larger than {MaxFileBytes} bytes");
        OtaServerOptions options;
        try
        {
            options = JsonSerializer.Deserialize<OtaServerOptions>(File.ReadAllBytes(path), OtaServerOptions.JsonOptions)
                ?? throw new InvalidDataException($"{path}: empty document");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string? Resolve(string? p) => p is null || Path.IsPathRooted(p) ? p : Path.Combine(folder, p);
        return options with
        {
            DataDirectory = Resolve(options.DataDirectory)!,
            CertificatePath = Resolve(options.CertificatePath),
            CertificateKeyPath = Resolve(options.CertificateKeyPath),
            VendorKeyFiles = [.. options.VendorKeyFiles.Select(f => Resolve(f)!)],
        };
    }
}
