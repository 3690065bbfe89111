using AtymSecure.TestSupport;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.ContainerImage;
using AtymSecure.Formats.Tests.Wasm;

namespace AtymSecure.Formats.Tests.ContainerImage;

/// <summary>
/// Golden container images of format v1, kept forever: every reader must keep accepting the valid ones and
/// refusing the bad ones with the same problem. Built from samples/anomaly-detector (module + model blob).
/// Written only on explicit request: <c>ATYM_WRITE_GOLDENS=1</c> writes the files that are missing, never
/// overwrites one (delete a file on purpose to rewrite it).
/// </summary>
public class GoldenContainerImageTests
{
    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
    private static readonly string GoldenDir = Path.Combine(Here(), "Golden", "v1");

    /// <summary>File → null for a valid image, else a text one of its problems must contain.</summary>
    public static TheoryData<string, string?> Cases => new()
    {
        { "anomaly-detector.cimg", null },
        { "anomaly-detector-reduced-grants.cimg", null },
        { "bad-magic.cimg", "expected 'ATYMCIMG'" },
        { "future-version.cimg", "format version 2 is not supported" },
        { "code-hash-mismatch.cimg", "manifest.code.sha256: the section hashes to" },
        { "blob-hash-mismatch.cimg", "manifest.blobs[0].sha256: the section hashes to" },
        { "grant-not-permitted.cimg", "manifest.grants[5]: 'gpio:4' is not in config.permissions" },
        { "wasm2c-code.cimg", "manifest.code.kind: wasm2c objects are not allowed in a container image" },
        { "unknown-key.cimg", "manifest: unknown key 'signature'" },
        { "misplaced-code.cimg", "manifest.code.offset:" },
        { "trailing-bytes.cimg", "trailing bytes after the last section" },
        { "truncated.cimg", "runs past the end of the" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Golden_v1_image_keeps_its_verdict(string file, string? expectedProblem)
    {
        var bytes = File.ReadAllBytes(Path.Combine(GoldenDir, file));
        if (expectedProblem is null)
        {
            var image = ContainerImageReader.Read(bytes);
            Assert.Equal("anomaly-detector", image.Config.Name);
            Assert.Equal(ArtifactKind.Wasm, image.Code.Kind);
            Assert.Equal("\0asm"u8.ToArray(), image.SliceCode(bytes)[..4].ToArray());
            var model = Assert.Single(image.Blobs);
            Assert.Equal("model", model.Name);
            Assert.Equal(image.Config.Blobs[0].Digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(image.SliceBlob(bytes, "model").Span)));
            var expectedGrants = file.Contains("reduced", StringComparison.Ordinal)
                ? new[] { "log", "sensor:vib0", "blob:model" }
                : ["log", "sensor:vib0", "sensor:temp0", "publish:alerts/anomaly", "blob:model"];
            Assert.Equal(expectedGrants, image.Grants.Select(g => g.ToString()));
        }
        else
        {
            var problems = TestImages.Problems(bytes);
            Assert.True(problems.Any(p => p.Contains(expectedProblem, StringComparison.Ordinal)),
                $"expected a problem containing '{expectedProblem}', got:\n  {string.Join("\n  ", problems)}");
        }
    }

    [Fact]
    public void Golden_set_is_complete()
    {
        if (Environment.GetEnvironmentVariable("ATYM_WRITE_GOLDENS") == "1") WriteMissingGoldens();
        var present = Directory.GetFiles(GoldenDir, "*.cimg").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(Cases.Select(c => (string)c[0]).Order().ToArray(), present);
    }

    /// <summary>The config of samples/anomaly-detector/atym.yaml, written out by hand (this project does not read YAML).</summary>
    private static ContainerConfig AnomalyDetectorConfig(byte[] model) => new()
    {
        Name = "anomaly-detector",
        Version = SemanticVersion.Parse("1.0.0"),
        Description = "Flags sensor readings far from a model's mean (z-score) and publishes alerts.",
        Entrypoint = "atym_step",
        Permissions = [.. new[] { "log", "sensor:vib0", "sensor:temp0", "publish:alerts/anomaly", "blob:model" }.Select(Capability.Parse)],
        Resources = new ResourceLimits { MaxMemoryBytes = 131072, MaxStackBytes = 16384, CpuBudgetMs = 50, SliceIntervalMs = 500 },
        HealthCheck = new HealthCheck { Probe = "atym_health", IntervalMs = 1000, TimeoutMs = 200, PassesToConfirm = 2 },
        Restart = new RestartPolicy { Mode = RestartMode.Always },
        Targets = ["linux-x86_64", "linux-aarch64", "mcu-cortex-m4", "mcu-cortex-m33"],
        Blobs = [new BlobReference("model", "application/vnd.atym.sample.zscore-model.v1", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(model)), model.Length)],
    };

    private static void WriteMissingGoldens()
    {
        Directory.CreateDirectory(GoldenDir);
        var module = File.ReadAllBytes(RepositoryRoot.File("samples/anomaly-detector/anomaly-detector.wasm"));
        var model = File.ReadAllBytes(RepositoryRoot.File("samples/anomaly-detector/model.bin"));
        var config = AnomalyDetectorConfig(model);
        var blobs = new Dictionary<string, ReadOnlyMemory<byte>> { ["model"] = model };
        var valid = ContainerImageWriter.Write(config, config.Permissions, ArtifactKind.Wasm, null, null, module, blobs);
        var reduced = ContainerImageWriter.Write(config, [.. new[] { "log", "sensor:vib0", "blob:model" }.Select(Capability.Parse)],
            ArtifactKind.Wasm, null, null, module, blobs);
        var parsed = ContainerImageReader.Read(valid);
        byte[] Patched(Action<byte[]> edit)
        {
            var copy = (byte[])valid.Clone();
            edit(copy);
            return copy;
        }
        var goldens = new Dictionary<string, byte[]>
        {
            ["anomaly-detector.cimg"] = valid,
            ["anomaly-detector-reduced-grants.cimg"] = reduced,
            ["bad-magic.cimg"] = Patched(b => b[4] = (byte)'X'),
            ["future-version.cimg"] = Patched(b => b[8] = 2),
            ["code-hash-mismatch.cimg"] = Patched(b => b[parsed.Code.Offset + 100] ^= 0x01),
            ["blob-hash-mismatch.cimg"] = Patched(b => b[parsed.Blobs[0].Offset] ^= 0x80),
            ["grant-not-permitted.cimg"] = TestImages.Edit(valid, m => m["grants"]!.AsArray().Add("gpio:4")),
            ["wasm2c-code.cimg"] = TestImages.Edit(valid, m => m["code"]!["kind"] = "wasm2c-object"),
            ["unknown-key.cimg"] = TestImages.Edit(valid, m => m["signature"] = "none"),
            ["misplaced-code.cimg"] = TestImages.Edit(valid, _ => { }, afterRelocate: m => m["code"]!["offset"] = parsed.Code.Offset + 256),
            ["trailing-bytes.cimg"] = [.. valid, 0, 0, 0, 0],
            ["truncated.cimg"] = valid[..^10],
        };
        foreach (var (name, bytes) in goldens)
        {
            var path = Path.Combine(GoldenDir, name);
            if (File.Exists(path)) continue; // kept forever: never overwritten
            var temp = path + ".tmp";
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path);
        }
    }
}
