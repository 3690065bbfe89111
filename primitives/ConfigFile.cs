using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AtymSecure.Primitives;

/// <summary>
/// The one loader of a server's configuration file (the registry's options and auth config, the OTA service's options):
/// at most <see cref="MaxFileBytes"/>, read into one JSON model — JSON with comments and trailing commas, or another
/// syntax (the registry's YAML) through a converter the caller brings, since this base carries no parser packages —
/// then bound with options such as <see cref="StrictJson"/>. Every failure is an <see cref="InvalidDataException"/>
/// whose message starts with the file's path (a missing file: <see cref="FileNotFoundException"/>), so an operator
/// reads which file and what is wrong in one line.
/// </summary>
public static class ConfigFile
{
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>
    /// How options files bind: camelCase keys (any case accepted), comments and trailing commas allowed, and an unknown
    /// key refused — a typo (<c>dataDirectry</c>) is an error naming the key, never a silently ignored setting. Read-only.
    /// </summary>
    public static JsonSerializerOptions StrictJson { get; } = CreateStrictJson();

    /// <summary>Parses <paramref name="path"/> into <typeparamref name="T"/> with <paramref name="options"/>.</summary>
    /// <param name="otherSyntax">
    /// Turns a file that is not JSON (no <c>.json</c> name, not starting with <c>{</c>) into the JSON model; null: every
    /// file is JSON. Its own exceptions pass through for the caller to word.
    /// </param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Too large, malformed, empty, or not binding (the message names the file).</exception>
    public static T Load<T>(string path, JsonSerializerOptions options, Func<string, JsonNode?>? otherSyntax = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"configuration file '{path}' does not exist", path);
        if (info.Length > MaxFileBytes) throw new InvalidDataException($"{path}: larger than {MaxFileBytes} bytes");
        var text = File.ReadAllText(path);
        try
        {
            var node = otherSyntax is null || LooksLikeJson(path, text)
                ? JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
                : otherSyntax(text);
            return node.Deserialize<T>(options) ?? throw new InvalidDataException($"{path}: empty document");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary><paramref name="value"/> resolved against the folder of <paramref name="configPath"/> when relative (null stays null).</summary>
    public static string? ResolveRelative(string configPath, string? value) =>
        value is null || Path.IsPathRooted(value) ? value : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, value);

    private static bool LooksLikeJson(string path, string text) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('{');

    private static JsonSerializerOptions CreateStrictJson()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            PropertyNameCaseInsensitive = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
