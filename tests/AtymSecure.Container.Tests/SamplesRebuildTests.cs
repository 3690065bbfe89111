using AtymSecure.TestSupport;

namespace AtymSecure.Container.Tests;

/// <summary>
/// The committed sample .wasm files and model.bin are exactly what samples/build.sh makes from their sources with
/// Debian's clang, lld and wasi-libc. Fails (never skips) when the toolchain is missing: scripts/test-deps.sh installs it.
/// </summary>
[Trait("Requires", "clang")]
[Trait("Requires", "process")]
public class SamplesRebuildTests
{
    private static readonly string[] Outputs =
    [
        "sensor-filter/sensor-filter.wasm", "sensor-filter-v1.1.0/sensor-filter.wasm", "sensor-filter-bad/sensor-filter.wasm",
        "anomaly-detector/anomaly-detector.wasm", "anomaly-detector/model.bin", "faulty/faulty.wasm",
    ];

    [Fact]
    public async Task Rebuilding_the_samples_from_source_gives_the_committed_bytes()
    {
        foreach (var tool in new[] { "/usr/bin/clang", "/usr/bin/wasm-ld", "/usr/lib/wasm32-wasi/libc.a" })
            Assert.True(File.Exists(tool), $"{tool} is missing: install clang, lld, wasi-libc and libclang-rt-14-dev-wasm32 (scripts/test-deps.sh does)");

        using var temp = TempFolder.Create("container");
        var output = temp.Path;
        (await ExternalTool.RunAsync("bash", [TestPaths.File("samples/build.sh"), output], TimeSpan.FromMinutes(10)))
            .EnsureSuccess("samples/build.sh");

        foreach (var file in Outputs)
        {
            var committed = File.ReadAllBytes(TestPaths.File(Path.Combine("samples", file)));
            var rebuilt = File.ReadAllBytes(Path.Combine(output, file));
            Assert.True(committed.AsSpan().SequenceEqual(rebuilt), $"{file}: rebuilt {rebuilt.Length} bytes differ from the committed {committed.Length} bytes; run samples/build.sh and commit");
        }
    }
}
