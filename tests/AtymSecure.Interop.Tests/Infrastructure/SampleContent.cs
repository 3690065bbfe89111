using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Interop.Tests.Infrastructure;

/// <summary>Builds the three kinds of content the interop tests move around, in an OCI layout.</summary>
public static class SampleContent
{
    /// <summary>A plain container image: image config + one gzip tar layer.</summary>
    public static async Task<Descriptor> WriteImageAsync(ITarget target, string tag)
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes("hello from atym\n")),
                ModificationTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            };
            await writer.WriteEntryAsync(entry);
        }
        var diffId = Digest.Compute(tar.ToArray());
        using var gz = new MemoryStream();
        await using (var zip = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true)) await zip.WriteAsync(tar.ToArray());
        var layer = await target.PushBytesAsync(MediaTypes.ImageLayerGzip, gz.ToArray());
        var config = await target.PushBytesAsync(MediaTypes.ImageConfig, Encoding.UTF8.GetBytes(
            $$$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["{{{diffId}}}"]},"config":{}}"""));
        return await PushManifestAsync(target, new ImageManifest { Config = config, Layers = [layer] }, tag);
    }

    /// <summary>A Wasm OCI artifact: wasm config + exactly one application/wasm layer.</summary>
    public static async Task<Descriptor> WriteWasmAsync(ITarget target, string tag)
    {
        byte[] module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        var layer = await target.PushBytesAsync("application/wasm", module);
        var config = await target.PushBytesAsync("application/vnd.wasm.config.v0+json", Encoding.UTF8.GetBytes(
            $$"""{"architecture":"wasm","os":"wasip1","layerDigests":["{{layer.Digest}}"]}"""));
        return await PushManifestAsync(target, new ImageManifest { Config = config, Layers = [layer] }, tag);
    }

    /// <summary>A v1.1 artifact (empty config, artifactType) whose subject is <paramref name="subject"/>.</summary>
    public static async Task<Descriptor> WriteReferrerAsync(ITarget target, Descriptor subject, string? tag, string artifactType = "application/vnd.example.sbom.v1+json")
    {
        await target.PushBytesAsync(MediaTypes.EmptyJson, "{}"u8.ToArray());
        var sbom = await target.PushBytesAsync(artifactType, Encoding.UTF8.GetBytes("""{"bomFormat":"CycloneDX","specVersion":"1.5"}"""));
        return await PushManifestAsync(target, new ImageManifest
        {
            ArtifactType = artifactType,
            Config = Descriptor.Empty with { Data = null },
            Layers = [sbom],
            Subject = subject with { Annotations = null, ArtifactType = null },
            Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["org.example.kind"] = "sbom" },
        }, tag);
    }

    public static async Task<Descriptor> PushManifestAsync(ITarget target, ImageManifest manifest, string? tag)
    {
        var bytes = OciJson.Serialize(manifest);
        var descriptor = Descriptor.FromBytes(MediaTypes.ImageManifest, bytes, artifactType: manifest.ArtifactType);
        using (var s = new MemoryStream(bytes)) await target.PushAsync(descriptor, s);
        if (tag is not null) await target.TagAsync(descriptor, tag);
        return descriptor;
    }

    public static Task<OciLayoutStore> NewLayoutAsync(string root) => OciLayoutStore.OpenAsync(root);
}
