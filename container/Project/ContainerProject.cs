using System.Security.Cryptography;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Wasm;
using AtymSecure.Primitives;
using static AtymSecure.Formats.Container.ConfigProblemCodes;

namespace AtymSecure.Container.Project;

/// <summary>A blob file of a project: the name the module reads it by, and where it lives on disk.</summary>
public sealed record ProjectBlob(string Name, string MediaType, string FilePath);

/// <summary>
/// A loaded atym.yaml project: the container config (with blob digests filled in from the files), the path of
/// the Wasm module and of every blob. atym.yaml is the container config in YAML plus two project-only fields:
/// <c>module</c> (path of the .wasm) and, per blob, <c>file</c> instead of digest/size.
/// docs/container-format.md#atymyaml
/// </summary>
public sealed record ContainerProject
{
    public const string FileName = "atym.yaml";

    public required string Directory { get; init; }

    public required string ModulePath { get; init; }

    public required ContainerConfig Config { get; init; }

    public required IReadOnlyList<ProjectBlob> Blobs { get; init; }

    /// <summary>Loads <c>atym.yaml</c> from <paramref name="directory"/>; throws <see cref="ContainerConfigException"/> listing every problem.</summary>
    public static ContainerProject Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = Path.GetFullPath(directory);
        var file = Path.Combine(root, FileName);
        if (!File.Exists(file)) throw new FileNotFoundException($"no {FileName} in {root} (run 'atym init' to create one)", file);
        var length = new FileInfo(file).Length;
        if (length > YamlConfigReader.MaxBytes)
            throw new ContainerConfigException(new Problem(DocumentTooLarge, "$", $"{FileName} is {length} bytes, limit {YamlConfigReader.MaxBytes}"));
        return Parse(File.ReadAllText(file), root);
    }

    /// <summary>Parses atym.yaml text whose relative paths resolve against <paramref name="projectDirectory"/>.</summary>
    public static ContainerProject Parse(string yaml, string projectDirectory)
    {
        var root = Path.GetFullPath(projectDirectory);
        if (YamlConfigReader.Read(yaml) is not ConfigMap map)
            throw new ContainerConfigException(new Problem(WrongType, "$", $"{FileName} must be a mapping of fields"));

        var errors = new List<Problem>();
        var configEntries = new List<KeyValuePair<string, ConfigNode>>();
        string? modulePath = null;
        var blobs = new List<ProjectBlob>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, node) in map.Entries)
        {
            if (!seen.Add(key)) { errors.Add(new Problem(DuplicateKey, ConfigPath.Field("$", key), "duplicate key")); continue; }
            switch (key)
            {
                case "module":
                    modulePath = ResolveFile(root, node, "$.module", WasmLimits.Default.MaxModuleBytes, errors);
                    break;
                case "blobs":
                    configEntries.Add(new(key, ReadBlobs(root, node, blobs, errors)));
                    break;
                default:
                    configEntries.Add(new(key, node));
                    break;
            }
        }
        if (!seen.Contains("module")) errors.Add(new Problem(Required, "$.module", "required (path of the .wasm module, relative to atym.yaml)"));

        var (config, configErrors) = ContainerConfigReader.TryRead(new ConfigMap(configEntries));
        var reported = errors.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(configErrors.Where(e => !reported.Contains(e.Path)));
        if (errors.Count > 0) throw new ContainerConfigException(errors);
        return new ContainerProject { Directory = root, ModulePath = modulePath!, Config = config!, Blobs = blobs };
    }

    /// <summary>Replaces each <c>{name, file, mediaType?}</c> with the config form <c>{name, mediaType, digest, size}</c>.</summary>
    private static ConfigNode ReadBlobs(string root, ConfigNode node, List<ProjectBlob> blobs, List<Problem> errors)
    {
        if (node is not ConfigList list) return node; // the config reader reports the type error
        var converted = new List<ConfigNode>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            var path = $"$.blobs[{i}]";
            if (list.Items[i] is not ConfigMap entry) { converted.Add(list.Items[i]); continue; }
            var fields = new List<KeyValuePair<string, ConfigNode>>();
            string? name = null, mediaType = null, file = null;
            foreach (var (key, value) in entry.Entries)
            {
                var text = value is ConfigScalar s && !s.IsNull ? s.Text : null;
                switch (key)
                {
                    case "file":
                        file = ResolveFile(root, value, path + ".file", ContainerConfigValidator.MaxBlobBytes, errors);
                        break;
                    case "name":
                        name = text;
                        fields.Add(new(key, value));
                        break;
                    case "mediaType":
                        mediaType = text;
                        fields.Add(new(key, value));
                        break;
                    default:
                        fields.Add(new(key, value)); // unknown keys are reported by the config reader
                        break;
                }
            }
            if (!entry.Entries.Any(e => e.Key == "file")) errors.Add(new Problem(Required, path + ".file", "required (path of the blob, relative to atym.yaml)"));
            if (mediaType is null)
            {
                mediaType = ContainerMediaTypes.DefaultBlob;
                fields.Add(new("mediaType", new ConfigScalar(mediaType, ConfigScalarKind.String)));
            }
            if (file is not null)
            {
                using var stream = File.OpenRead(file);
                var digest = Digest.FromSha256(SHA256.HashData(stream)).ToString();
                fields.Add(new("digest", new ConfigScalar(digest, ConfigScalarKind.String)));
                fields.Add(new("size", new ConfigScalar(stream.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), ConfigScalarKind.Number)));
                if (name is not null) blobs.Add(new ProjectBlob(name, mediaType, file));
            }
            else
            {
                // Keep the config reader from adding "required" noise for fields the project derives.
                fields.Add(new("digest", new ConfigScalar("sha256:" + new string('0', 64), ConfigScalarKind.String)));
                fields.Add(new("size", new ConfigScalar("0", ConfigScalarKind.Number)));
            }
            converted.Add(new ConfigMap(fields));
        }
        return new ConfigList(converted);
    }

    /// <summary>A relative path inside the project folder, naming an existing file within the size limit.</summary>
    private static string? ResolveFile(string root, ConfigNode node, string path, long maxBytes, List<Problem> errors)
    {
        if (node is not ConfigScalar { Kind: ConfigScalarKind.String or ConfigScalarKind.Plain } s || s.IsNull || s.Text.Length == 0)
        {
            errors.Add(new Problem(ProjectProblemCodes.InvalidFilePath, path, "must be a relative file path"));
            return null;
        }
        if (Path.IsPathRooted(s.Text))
        {
            errors.Add(new Problem(ProjectProblemCodes.InvalidFilePath, path, $"'{s.Text}' must be relative to the project folder"));
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(root, s.Text));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            errors.Add(new Problem(ProjectProblemCodes.OutsideProject, path, $"'{s.Text}' points outside the project folder"));
            return null;
        }
        if (!File.Exists(full))
        {
            errors.Add(new Problem(ProjectProblemCodes.FileNotFound, path, $"file '{s.Text}' does not exist"));
            return null;
        }
        var length = new FileInfo(full).Length;
        if (length > maxBytes)
        {
            errors.Add(new Problem(ProjectProblemCodes.FileTooLarge, path, $"file '{s.Text}' is {length} bytes, limit {maxBytes}"));
            return null;
        }
        return full;
    }
}
