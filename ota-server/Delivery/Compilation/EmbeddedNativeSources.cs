
namespace AtymSecure.Delivery.Compilation;

/// <summary>The C sources under Compilation/native/, embedded in this assembly so a deployed server can build them.</summary>
public static class EmbeddedNativeSources
{
    public const string WasmtimeWorker = "wasmtime-aot-worker.c";
    public const string McuMmanStub = "mcu-stub/sys/mman.h";

    private const string Prefix = "AtymSecure.Delivery.Compilation.native/";

    /// <summary>The bytes of an embedded source, by its path under native/.</summary>
    public static byte[] Read(string relativePath)
    {
        using var stream = typeof(EmbeddedNativeSources).Assembly.GetManifestResourceStream(Prefix + relativePath)
            ?? throw new InvalidOperationException($"embedded native source '{relativePath}' is missing from the assembly (check the EmbeddedResource item in AtymSecure.Delivery.csproj)");
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>sha256 digest of an embedded source, <c>sha256:hex</c>.</summary>
    public static string Digest(string relativePath) => Primitives.Digest.Compute(Read(relativePath)).ToString();
}
