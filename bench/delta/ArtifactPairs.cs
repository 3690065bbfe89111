using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Compilation;
using AtymSecure.Primitives;

namespace AtymSecure.Bench.Delta;

/// <summary>One old/new pair of one artifact kind.</summary>
internal sealed record ArtifactPair(string Pair, string Kind, string OldPath, string NewPath);

/// <summary>
/// Collects the pairs built by build-inputs.sh (wasm, wasm2c Cortex-M4 objects) and compiles the
/// AoT kinds (x86_64 and pulley64 cwasm) with the ota-server compiler, caching them next to the inputs.
/// </summary>
internal static class ArtifactPairs
{
    private static readonly (string Kind, DeviceClass Class)[] AotKinds =
    [
        ("x86_64.cwasm", DeviceClassTable.LinuxX86_64),
        ("pulley64.cwasm", DeviceClassTable.PortablePulley64),
    ];

    public static async Task<List<ArtifactPair>> CollectAsync(string pairsDir, IReadOnlyList<string> pairs)
    {
        var result = new List<ArtifactPair>();
        foreach (var pair in pairs)
        {
            string Path(string side, string kind) => System.IO.Path.Combine(pairsDir, $"{pair}.{side}.{kind}");
            if (!File.Exists(Path("old", "wasm")) || !File.Exists(Path("new", "wasm")))
            {
                throw new FileNotFoundException($"pair '{pair}' has no wasm inputs in {pairsDir}; run build-inputs.sh first");
            }

            result.Add(new ArtifactPair(pair, "wasm", Path("old", "wasm"), Path("new", "wasm")));
            foreach (var (kind, deviceClass) in AotKinds)
            {
                foreach (var side in new[] { "old", "new" })
                {
                    await CompileIfMissingAsync(Path(side, "wasm"), Path(side, kind), deviceClass);
                }

                result.Add(new ArtifactPair(pair, kind, Path("old", kind), Path("new", kind)));
            }

            if (File.Exists(Path("old", "m4.o")) && File.Exists(Path("new", "m4.o")))
            {
                result.Add(new ArtifactPair(pair, "w2c-m4.o", Path("old", "m4.o"), Path("new", "m4.o")));
            }
            else
            {
                Console.Error.WriteLine($"note: no wasm2c Cortex-M4 objects for '{pair}' (picolibc-arm-none-eabi missing?)");
            }
        }

        return result;
    }

    private static async Task CompileIfMissingAsync(string wasmPath, string outPath, DeviceClass deviceClass)
    {
        if (File.Exists(outPath))
        {
            return;
        }

        var artifact = await AotCompilerRegistry.CompileAsync(await File.ReadAllBytesAsync(wasmPath), deviceClass, CancellationToken.None);
        await AtomicFile.WriteAsync(outPath, artifact.Bytes);
    }
}
