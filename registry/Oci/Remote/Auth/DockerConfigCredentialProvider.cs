using System.Text;
using System.Text.Json;

namespace AtymSecure.Oci.Remote.Auth;

/// <summary>
/// Credentials from a Docker/Podman-style <c>config.json</c> (<c>auths.&lt;host&gt;.auth</c> = base64 "user:password",
/// or <c>identitytoken</c> → refresh token), so <c>docker login</c>/<c>oras login</c> sessions work.
/// Credential helpers (<c>credsStore</c>/<c>credHelpers</c>) are not run.
/// </summary>
public sealed class DockerConfigCredentialProvider : ICredentialProvider
{
    public const long MaxConfigBytes = 1024 * 1024;
    private readonly Dictionary<string, Credential> _byHost = new(StringComparer.OrdinalIgnoreCase);

    private DockerConfigCredentialProvider()
    {
    }

    /// <summary>The default file: <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>.</summary>
    public static string DefaultPath(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var dir = environment("DOCKER_CONFIG");
        return dir is { Length: > 0 }
            ? Path.Combine(dir, "config.json")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "config.json");
    }

    /// <summary>Loads <paramref name="path"/>; a missing file gives an empty provider (anonymous everywhere).</summary>
    /// <exception cref="InvalidDataException">the file is too large, not JSON, or an entry is malformed (with its host)</exception>
    public static DockerConfigCredentialProvider Load(string path)
    {
        var provider = new DockerConfigCredentialProvider();
        var info = new FileInfo(path);
        if (!info.Exists) return provider;
        if (info.Length > MaxConfigBytes) throw new InvalidDataException($"{path}: larger than {MaxConfigBytes} bytes");
        provider.Read(File.ReadAllBytes(path), path);
        return provider;
    }

    /// <summary>Parses config.json content (for tests and for callers holding the bytes).</summary>
    public static DockerConfigCredentialProvider Parse(ReadOnlySpan<byte> json, string source = "config.json")
    {
        var provider = new DockerConfigCredentialProvider();
        provider.Read(json.ToArray(), source);
        return provider;
    }

    private void Read(byte[] json, string source)
    {
        var errors = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16, CommentHandling = JsonCommentHandling.Skip });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{source}: not a JSON object");
            if (!doc.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object) return;
            foreach (var entry in auths.EnumerateObject())
            {
                var host = NormalizeHost(entry.Name);
                if (entry.Value.ValueKind != JsonValueKind.Object) { errors.Add($"auths.{entry.Name}: not an object"); continue; }
                string? user = null, password = null, token = null;
                if (entry.Value.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.String && auth.GetString() is { Length: > 0 } b64)
                {
                    string decoded;
                    try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(b64)); }
                    catch (FormatException) { errors.Add($"auths.{entry.Name}.auth: not base64"); continue; }
                    var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0) { errors.Add($"auths.{entry.Name}.auth: expected base64 of 'user:password'"); continue; }
                    user = decoded[..colon];
                    password = decoded[(colon + 1)..];
                }
                if (entry.Value.TryGetProperty("identitytoken", out var it) && it.ValueKind == JsonValueKind.String) token = it.GetString();
                if (user is not null || !string.IsNullOrEmpty(token)) _byHost[host] = new Credential(user, password, string.IsNullOrEmpty(token) ? null : token);
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: malformed JSON: {e.Message}", e);
        }
        if (errors.Count > 0) throw new InvalidDataException($"{source}: " + string.Join("; ", errors));
    }

    /// <summary><c>https://host:port/v1/</c> and <c>host:port</c> name the same registry.</summary>
    private static string NormalizeHost(string key)
    {
        var k = key;
        var scheme = k.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) k = k[(scheme + 3)..];
        var slash = k.IndexOf('/', StringComparison.Ordinal);
        return slash >= 0 ? k[..slash] : k;
    }

    public ValueTask<Credential?> GetCredentialAsync(string registry, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_byHost.TryGetValue(registry, out var c) ? c : null);
}
