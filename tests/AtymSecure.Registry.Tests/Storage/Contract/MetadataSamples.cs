using System.Text;
using System.Text.Json;
using AtymSecure.Primitives;
using AtymSecure.Registry.Storage;

namespace AtymSecure.Registry.Tests.Storage.Contract;

/// <summary>Records for the contract tests, with digests of real content.</summary>
internal static class MetadataSamples
{
    public static string DigestOf(string content) => Digest.Compute(Encoding.UTF8.GetBytes(content)).ToString();

    public static ManifestRecord Manifest(string repository, string content, string? subject = null, string? artifactType = null) => new()
    {
        Repository = repository,
        Digest = DigestOf(content),
        MediaType = "application/vnd.oci.image.manifest.v1+json",
        Size = 100 + content.Length,
        Subject = subject,
        ArtifactType = artifactType,
        AnnotationsJson = """{"org.opencontainers.image.created":"2026-12-04T18:00:00Z","dev.atym.note":"\u00e9t\u00e9 \ud83d\ude80"}""",
        Blobs = [DigestOf(content + "/config"), DigestOf(content + "/layer")],
        Children = [],
        PushedUnixMs = 1_764_870_000_000 + content.Length,
    };

    /// <summary>Every field, as one comparable text (ManifestRecord is a mutable class without value equality).</summary>
    public static string Facts(ManifestRecord? manifest) => JsonSerializer.Serialize(manifest);

    public static UploadSessionRecord Upload(string id, string repository = "app") =>
        new() { Id = id, Repository = repository, Algorithm = "sha256", CreatedUnixMs = 1_764_870_000_000 };

    /// <summary>Runs <paramref name="write"/> for writers 0 and 1 released together by a barrier.</summary>
    public static void Race(Action<int> write)
    {
        using var start = new Barrier(2);
        var writers = Enumerable.Range(0, 2).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            write(i);
        })).ToArray();
        Task.WaitAll(writers);
    }
}
