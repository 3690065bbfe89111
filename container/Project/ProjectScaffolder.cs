using System.Text;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.Container.Project;

/// <summary>
/// <c>atym init</c>: writes a starter atym.yaml and a C source that uses the device API, into a folder. Never
/// overwrites an existing file unless asked; the written atym.yaml is valid as is (it loads once the module is
/// built with the command it names).
/// </summary>
public static class ProjectScaffolder
{
    public const string SourceFileName = "main.c";

    /// <summary>Creates the files; returns their paths. Throws <see cref="IOException"/> if one exists and <paramref name="overwrite"/> is false.</summary>
    public static IReadOnlyList<string> Init(string directory, string? name = null, bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = Path.GetFullPath(directory);
        name ??= NameFromDirectory(root);
        var nameCheck = ContainerConfigValidator.Validate(new ContainerConfig { Name = name, Version = SemanticVersion.Parse("0.1.0") })
            .FirstOrDefault(e => e.Path == "$.name");
        if (nameCheck is not null) throw new ArgumentException($"container name: {nameCheck.Message}", nameof(name));

        Directory.CreateDirectory(root);
        var files = new (string Path, string Text)[]
        {
            (Path.Combine(root, ContainerProject.FileName), YamlTemplate(name)),
            (Path.Combine(root, SourceFileName), SourceTemplate(name)),
        };
        if (!overwrite && files.FirstOrDefault(f => File.Exists(f.Path)) is { Path: not null } existing)
            throw new IOException($"{existing.Path} already exists (use --force to overwrite)");
        foreach (var (path, text) in files) AtomicFile.Write(path, Encoding.UTF8.GetBytes(text));
        return [.. files.Select(f => f.Path)];
    }

    /// <summary>A valid container name from a folder name: lowercase, [a-z0-9-], trimmed to 64 characters.</summary>
    public static string NameFromDirectory(string directory)
    {
        var raw = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)).ToLowerInvariant();
        var chars = raw.Select(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '-').ToArray();
        var name = new string(chars).Trim('-');
        if (name.Length > 64) name = name[..64].Trim('-');
        return name.Length == 0 ? "my-container" : name;
    }

    private static string YamlTemplate(string name) => $"""
        # Atym container project. Reference: docs/container-format.md#atymyaml
        # Build the module (Debian: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32):
        #   clang --target=wasm32-wasi -O2 -mexec-model=reactor -s -o {name}.wasm main.c
        # then: atym build
        name: {name}
        version: 0.1.0
        module: {name}.wasm
        entrypoint: atym_step        # called once per slice; return 0 to keep running
        variables:
          GREETING: hello
        permissions:
          - log                      # every import must be granted here (docs/device-api.md)
        resources:
          maxMemoryBytes: 1048576
          cpuBudgetMs: 50
          sliceIntervalMs: 1000
        healthCheck:
          probe: atym_health         # returns 0 when healthy
          intervalMs: 1000
          timeoutMs: 250
          passesToConfirm: 3
        restart:
          policy: on-failure
        targets: [linux-x86_64, linux-aarch64]

        """;

    private static string SourceTemplate(string name) => $$"""
        /* {{name}}: starter container. Device API: docs/device-api.md */
        #include <stdint.h>

        __attribute__((import_module("atym"), import_name("log")))
        void atym_log(int32_t level, const char *msg, int32_t len);

        static int32_t steps;

        __attribute__((export_name("atym_step")))
        int32_t atym_step(void) {
            static const char msg[] = "{{name}}: step";
            atym_log(1, msg, sizeof msg - 1);
            steps++;
            return 0;
        }

        __attribute__((export_name("atym_health")))
        int32_t atym_health(void) { return 0; }

        """;
}
