using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Signer.Tests.Infrastructure;

/// <summary>A small Wasm-layout container image (wasm config, one application/wasm layer, our config blob, a model blob).</summary>
public static class TestImage
{
    public const string AtymConfigMediaType = "application/vnd.atym.container.config.v1+json";

    public static async Task<Descriptor> PushAsync(ITarget target, string tag, string seed = "v1")
    {
        var wasmConfig = await Blob(target, "application/vnd.wasm.config.v0+json", """{"architecture":"wasm","os":"wasip1"}"""u8.ToArray());
        var module = await Blob(target, "application/wasm", [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, .. System.Text.Encoding.UTF8.GetBytes(seed)],
            new Dictionary<string, string> { ["org.opencontainers.image.title"] = "module.wasm" });
        var atymConfig = await Blob(target, AtymConfigMediaType, System.Text.Encoding.UTF8.GetBytes($$"""{"name":"demo","version":"1.0.0","seed":"{{seed}}"}"""),
            new Dictionary<string, string> { ["org.opencontainers.image.title"] = "atym.config.json" });
        var model = await Blob(target, "application/vnd.atym.blob.model.v1", new byte[64],
            new Dictionary<string, string> { ["org.opencontainers.image.title"] = "model.bin" });
        var manifest = new ImageManifest
        {
            Config = wasmConfig,
            Layers = [module, atymConfig, model],
            Annotations = new Dictionary<string, string> { [AnnotationKeys.Version] = "1.0.0" },
        };
        var bytes = OciJson.Serialize(manifest);
        var descriptor = Descriptor.FromBytes(MediaTypes.ImageManifest, bytes);
        await target.PushIfMissingAsync(descriptor, () => new MemoryStream(bytes));
        await target.TagAsync(descriptor, tag);
        return descriptor;
    }

    private static async Task<Descriptor> Blob(ITarget target, string mediaType, byte[] content, IReadOnlyDictionary<string, string>? annotations = null)
    {
        var descriptor = Descriptor.FromBytes(mediaType, content, annotations);
        await target.PushIfMissingAsync(descriptor, () => new MemoryStream(content));
        return descriptor;
    }
}
