using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.ContainerImage;

namespace AtymSecure.Formats.Tests.ContainerImage;

/// <summary>Valid inputs for container images, and a way to hand-assemble images whose manifest was edited.</summary>
internal static class TestImages
{
    public static readonly byte[] Code = Bytes(5000, 1);
    public static readonly byte[] Model = Bytes(300, 2);
    public static readonly byte[] Labels = Bytes(7, 3);

    public static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static ContainerConfig Config(params (string Name, byte[] Bytes)[] blobs) => new()
    {
        Name = "anomaly-detector",
        Version = SemanticVersion.Parse("1.0.0"),
        Entrypoint = "atym_step",
        Variables = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["THRESHOLD"] = "3" },
        Permissions = [Capability.Log, Capability.Parse("sensor:vib0"), Capability.Parse("publish:alerts/anomaly"),
            .. blobs.Select(b => Capability.Parse("blob:" + b.Name))],
        HealthCheck = new HealthCheck { Probe = "atym_health", TimeoutMs = 200 },
        Blobs = [.. blobs.Select(b => new BlobReference(b.Name, "application/octet-stream", Digest(b.Bytes), b.Bytes.Length))],
    };

    public static ContainerConfig DefaultConfig { get; } = Config(("model", Model), ("labels", Labels));

    public static Dictionary<string, ReadOnlyMemory<byte>> DefaultBlobs() => new() { ["model"] = Model, ["labels"] = Labels };

    /// <summary>A valid image with two blobs, granting all but the publish permission.</summary>
    public static byte[] Valid() => ContainerImageWriter.Write(DefaultConfig,
        DefaultConfig.Permissions.Where(p => p.Kind != CapabilityKind.Publish), ArtifactKind.WasmtimeNative, "linux-x86_64",
        "x86_64-unknown-linux-gnu", Code, DefaultBlobs());

    public static int ManifestLength(byte[] image) => (int)BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(12));

    public static JsonObject Manifest(byte[] image) =>
        JsonNode.Parse(image.AsSpan(16, ManifestLength(image)))!.AsObject();

    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes <paramref name="manifest"/> (after <paramref name="edit"/>) and the sections of <paramref name="source"/>
    /// into a new image. With <paramref name="relocate"/> the section offsets are recomputed as the format puts
    /// them, so the only problem left is the edit itself.
    /// </summary>
    public static byte[] Edit(byte[] source, Action<JsonObject> edit, bool relocate = true, Action<JsonObject>? afterRelocate = null)
    {
        var manifest = Manifest(source);
        var sections = new List<byte[]> { Slice(source, manifest["code"]!) };
        sections.AddRange(manifest["blobs"]!.AsArray().Select(b => Slice(source, b!)));
        edit(manifest);
        byte[] json = [];
        for (var round = 0; relocate && round < 20; round++)
        {
            json = JsonSerializer.SerializeToUtf8Bytes(manifest, Compact);
            long end = 16 + json.Length;
            var nodes = manifest["blobs"]!.AsArray().Select(b => b!.AsObject()).Prepend(manifest["code"]!.AsObject()).ToList();
            for (var i = 0; i < nodes.Count && i < sections.Count; i++)
            {
                var offset = ContainerImageLayout.Align(end, i == 0 ? 256 : 64);
                nodes[i]["offset"] = offset;
                end = offset + sections[i].Length;
            }
        }
        // Bytes go where the (relocated) manifest puts them; afterRelocate then edits only the manifest.
        var placed = new List<(long Offset, byte[] Bytes)> { (Offset(manifest["code"]!), sections[0]) };
        var blobNodes = manifest["blobs"]!.AsArray();
        for (var i = 1; i < sections.Count && i - 1 < blobNodes.Count; i++) placed.Add((Offset(blobNodes[i - 1]!), sections[i]));
        afterRelocate?.Invoke(manifest);
        json = JsonSerializer.SerializeToUtf8Bytes(manifest, Compact);
        var total = Math.Max(16 + json.Length, placed.Max(p => p.Offset + p.Bytes.Length));
        var image = new byte[total];
        source.AsSpan(0, 12).CopyTo(image);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(12), (uint)json.Length);
        json.CopyTo(image, 16);
        foreach (var (offset, bytes) in placed) bytes.CopyTo(image, offset);
        return image;
    }

    private static long Offset(JsonNode section) => long.Parse(section["offset"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Slice(byte[] image, JsonNode section) =>
        image.AsSpan((int)Offset(section), (int)long.Parse(section["length"]!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The problems of a refused image as "path: message" lines; each has the container image's one code.</summary>
    public static IReadOnlyList<string> Problems(byte[] image)
    {
        var problems = Assert.Throws<ContainerImageFormatException>(() => ContainerImageReader.Read(image)).Problems;
        Assert.All(problems, p => Assert.Equal(ReasonCodes.ImageMalformed, p.Code));
        return [.. problems.Select(p => p.ToString())];
    }
}
