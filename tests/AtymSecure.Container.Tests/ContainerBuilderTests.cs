using AtymSecure.Container.Artifact;
using AtymSecure.Container.Build;
using AtymSecure.Container.Inspect;
using AtymSecure.Container.Project;
using AtymSecure.Formats.Container;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Wire;
using AtymSecure.TestSupport;

namespace AtymSecure.Container.Tests;

public class ContainerBuilderTests
{
    private static readonly BuildOptions NoTime = new() { Created = null };

    [Fact]
    public async Task Builds_a_sample_into_an_oci_layout_that_reads_back_as_the_same_container()
    {
        var project = ContainerProject.Load(TestPaths.File("samples/anomaly-detector"));
        using var temp = TempFolder.Create("container");
        var layout = temp.Path;
        var manifest = await ContainerBuilder.BuildAsync(project, layout, NoTime);

        Assert.True(System.IO.File.Exists(Path.Combine(layout, "oci-layout")));
        Assert.True(System.IO.File.Exists(Path.Combine(layout, "blobs", "sha256", manifest.Digest.Encoded)));
        var store = await OciLayoutStore.OpenAsync(layout);
        Assert.Equal(manifest.Digest, (await store.ResolveAsync("1.0.0")).Digest);

        var artifact = await ContainerArtifactReader.ReadAsync(store, manifest);
        Assert.True(artifact.HasAtymConfig);
        Assert.Equal(project.Config, artifact.Config);
        Assert.Equal(System.IO.File.ReadAllBytes(project.ModulePath), artifact.ModuleBytes.ToArray());
        Assert.Equal(System.IO.File.ReadAllBytes(TestPaths.File("samples/anomaly-detector/model.bin")), artifact.Blobs["model"].ToArray());

        var m = artifact.Manifest;
        Assert.Equal(ContainerMediaTypes.WasmConfig, m.Config.MediaType);
        Assert.Equal([ContainerMediaTypes.WasmLayer, ContainerMediaTypes.ContainerConfig, "application/vnd.atym.sample.zscore-model.v1"], m.Layers.Select(l => l.MediaType));
        Assert.Equal("model", m.Layers[2].Annotations![ContainerMediaTypes.BlobNameAnnotation]);
        Assert.Equal(m.Layers.Select(l => l.Digest.ToString()), artifact.WasmConfig.LayerDigests);
        Assert.Equal(("wasip1", DateTimeOffset.UnixEpoch), (artifact.WasmConfig.Os, artifact.WasmConfig.Created));
        Assert.False(m.Annotations!.ContainsKey(AnnotationKeys.Created));
    }

    [Theory]
    [InlineData("sensor-filter", "1.0.0")]
    [InlineData("sensor-filter-v1.1.0", "1.1.0")]
    [InlineData("sensor-filter-bad", "1.2.0")]
    [InlineData("anomaly-detector", "1.0.0")]
    [InlineData("faulty", "1.0.0")]
    public async Task Every_sample_builds_and_reads_back(string sample, string version)
    {
        var project = ContainerProject.Load(TestPaths.File($"samples/{sample}"));
        var store = new MemoryStore();
        var manifest = await ContainerBuilder.BuildAsync(project, store, NoTime);
        Assert.Equal(manifest, await store.ResolveAsync(version));
        var artifact = await ContainerArtifactReader.ReadAsync(store, manifest);
        Assert.Equal((project.Config.Name, version, "atym_health"), (artifact.Config.Name, artifact.Config.Version!.ToString(), artifact.Config.HealthCheck!.Probe));
    }

    [Fact]
    public void The_sensor_filter_versions_are_distinct_containers_of_one_name()
    {
        var digests = new[] { "sensor-filter", "sensor-filter-v1.1.0", "sensor-filter-bad" }
            .Select(s => ContainerBuilder.Prepare(ContainerProject.Load(TestPaths.File($"samples/{s}")), NoTime))
            .Select(p => (p.Manifest.Digest, Module: p.ManifestDocument.Layers[0].Digest))
            .ToList();
        Assert.Equal(3, digests.Select(d => d.Digest).Distinct().Count());
        Assert.Equal(3, digests.Select(d => d.Module).Distinct().Count());
    }

    [Fact]
    public async Task Building_twice_gives_identical_manifest_digests_and_blob_bytes()
    {
        var project = ContainerProject.Load(TestPaths.File("samples/sensor-filter"));
        var a = ContainerBuilder.Prepare(project, NoTime);
        using var copy = TestPaths.CopySample("sensor-filter");
        var b = ContainerBuilder.Prepare(ContainerProject.Load(copy.Path), NoTime);
        Assert.Equal(a.Manifest.Digest, b.Manifest.Digest);
        Assert.Equal(a.ManifestBytes, b.ManifestBytes);

        using var temp = TempFolder.Create("container");
        var layout1 = await ContainerBuilder.BuildAsync(project, temp.Folder("1"), NoTime);
        var layout2 = await ContainerBuilder.BuildAsync(project, temp.Folder("2"), NoTime);
        Assert.Equal(layout1, layout2);
    }

    [Fact]
    public void SOURCE_DATE_EPOCH_sets_the_created_annotation_and_changes_the_digest_deterministically()
    {
        var project = ContainerProject.Load(TestPaths.File("samples/faulty"));
        var created = BuildOptions.ParseSourceDateEpoch("1700000000");
        var withTime = ContainerBuilder.Prepare(project, new BuildOptions { Created = created });
        var again = ContainerBuilder.Prepare(project, new BuildOptions { Created = created });
        var without = ContainerBuilder.Prepare(project, NoTime);

        Assert.Equal("2023-11-14T22:13:20Z", withTime.ManifestDocument.Annotations![AnnotationKeys.Created]);
        Assert.Equal(withTime.Manifest.Digest, again.Manifest.Digest);
        Assert.NotEqual(withTime.Manifest.Digest, without.Manifest.Digest);
        var keys = withTime.ManifestDocument.Annotations.Keys.ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void An_unset_SOURCE_DATE_EPOCH_means_no_time(string? value) => Assert.Null(BuildOptions.ParseSourceDateEpoch(value));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("99999999999999")]
    public void A_bad_SOURCE_DATE_EPOCH_is_refused(string value)
    {
        var e = Assert.Throws<ContainerBuildException>(() => BuildOptions.ParseSourceDateEpoch(value));
        Assert.Contains("SOURCE_DATE_EPOCH", e.Message, StringComparison.Ordinal);
        var problem = Assert.Single(e.Problems);
        Assert.Equal((BuildProblemCodes.InvalidSourceDateEpoch, "SOURCE_DATE_EPOCH"), (problem.Code, problem.Path));
    }

    [Fact]
    public void Build_refuses_imports_the_permissions_do_not_grant_naming_import_and_permission()
    {
        using var sample = TestPaths.CopySample("sensor-filter");
        var dir = sample.Path;
        var yaml = System.IO.File.ReadAllText(Path.Combine(dir, "atym.yaml")).Replace("  - sensor:temp0\n", "", StringComparison.Ordinal);
        System.IO.File.WriteAllText(Path.Combine(dir, "atym.yaml"), yaml);
        var e = Assert.Throws<ContainerBuildException>(() => ContainerBuilder.Prepare(ContainerProject.Load(dir), NoTime));
        var problem = Assert.Single(e.Problems);
        Assert.Equal((BuildProblemCodes.ImportNotGranted, "imports['atym.sensor_read']"), (problem.Code, problem.Path));
        Assert.Equal("import atym.sensor_read requires permission 'sensor:<name>', which the container's permissions do not grant", problem.Message);
    }

    [Fact]
    public void Build_refuses_a_missing_entrypoint_or_probe_and_memory_above_the_limit_all_at_once()
    {
        using var sample = TestPaths.CopySample("faulty");
        var dir = sample.Path;
        var yaml = System.IO.File.ReadAllText(Path.Combine(dir, "atym.yaml"))
            .Replace("entrypoint: atym_step", "entrypoint: run", StringComparison.Ordinal)
            .Replace("probe: atym_health", "probe: memory", StringComparison.Ordinal)
            .Replace("maxMemoryBytes: 131072", "maxMemoryBytes: 65536", StringComparison.Ordinal)
            .Replace("permissions: [log]", "permissions: [clock]", StringComparison.Ordinal);
        System.IO.File.WriteAllText(Path.Combine(dir, "atym.yaml"), yaml);
        var e = Assert.Throws<ContainerBuildException>(() => ContainerBuilder.Prepare(ContainerProject.Load(dir), NoTime));
        Assert.Equal(
            [
                (BuildProblemCodes.ImportNotGranted, "imports['atym.log']"), (BuildProblemCodes.ExportMissing, "entrypoint"),
                (BuildProblemCodes.ExportNotFunction, "healthCheck.probe"), (BuildProblemCodes.MemoryAboveLimit, "resources.maxMemoryBytes"),
            ],
            e.Problems.Select(p => (p.Code, p.Path)));
        Assert.Contains("import atym.log requires permission 'log'", e.Problems[0].Message);
        Assert.StartsWith("entrypoint 'run' is not exported by the module (exports: memory, _initialize, atym_step, atym_health)", e.Problems[1].Message);
        Assert.Equal("health probe 'memory' is exported as a memory, not a function", e.Problems[2].Message);
        Assert.Equal("module needs 131072 bytes of linear memory at start, above resources.maxMemoryBytes 65536", e.Problems[3].Message);
        Assert.StartsWith("build refused (4 problems):\n  imports['atym.log']: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_refuses_a_module_that_is_not_wasm()
    {
        using var sample = TestPaths.CopySample("faulty");
        var dir = sample.Path;
        System.IO.File.WriteAllBytes(Path.Combine(dir, "faulty.wasm"), "#!/bin/sh\n"u8.ToArray());
        var e = Assert.Throws<ContainerBuildException>(() => ContainerBuilder.Prepare(ContainerProject.Load(dir), NoTime));
        var problem = Assert.Single(e.Problems);
        Assert.Equal((BuildProblemCodes.InvalidModule, "faulty.wasm"), (problem.Code, problem.Path));
        Assert.Contains("faulty.wasm: invalid wasm module", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A minimal WASI command: imports fd_write, exports memory and _start (hand-assembled, core binary format).</summary>
    private static readonly byte[] WasiCommand =
    [
        0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x0C, 0x02, 0x60, 0x04, 0x7F, 0x7F, 0x7F, 0x7F, 0x01, 0x7F, 0x60, 0x00, 0x00,
        0x02, 0x23, 0x01, 0x16, .. "wasi_snapshot_preview1"u8, 0x08, .. "fd_write"u8, 0x00, 0x00,
        0x03, 0x02, 0x01, 0x01,
        0x05, 0x03, 0x01, 0x00, 0x01,
        0x07, 0x13, 0x02, 0x06, .. "memory"u8, 0x02, 0x00, 0x06, .. "_start"u8, 0x00, 0x01,
        0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B,
    ];

    /// <summary>The shape wkg/oci-wasm push: wasm config + one application/wasm layer, no Atym config.</summary>
    private static async Task<(MemoryStore Store, Descriptor Manifest)> PushForeignImageAsync(byte[] module)
    {
        var store = new MemoryStore();
        var layer = await store.PushBytesAsync(ContainerMediaTypes.WasmLayer, module);
        var config = await store.PushBytesAsync(ContainerMediaTypes.WasmConfig,
            new WasmArtifactConfig { Created = DateTimeOffset.UnixEpoch, Author = "other-tool", LayerDigests = [layer.Digest.ToString()] }.Serialize());
        var manifest = new ImageManifest
        {
            Config = config,
            Layers = [layer],
            Annotations = new Dictionary<string, string> { [AnnotationKeys.Title] = "foreign", [AnnotationKeys.Version] = "2.1.0" },
        };
        return (store, await store.PushBytesAsync(MediaTypes.ImageManifest, OciJson.Serialize(manifest)));
    }

    [Fact]
    public async Task A_plain_wasm_oci_image_from_another_tool_is_accepted_with_derived_defaults()
    {
        var (store, descriptor) = await PushForeignImageAsync(WasiCommand);
        var artifact = await ContainerArtifactReader.ReadAsync(store, descriptor);

        Assert.False(artifact.HasAtymConfig);
        var c = artifact.Config;
        Assert.Equal(("foreign", "2.1.0", "_start"), (c.Name, c.Version!.ToString(), c.Entrypoint));
        Assert.Equal([Capability.Log], c.Permissions);
        Assert.Null(c.HealthCheck);
        Assert.Contains("(plain Wasm image: config derived)", ContainerInspector.ToText(artifact));
    }

    [Fact]
    public async Task A_plain_wasm_image_without_a_start_export_is_refused_with_the_reason()
    {
        var (store, descriptor) = await PushForeignImageAsync(System.IO.File.ReadAllBytes(TestPaths.File("samples/faulty/faulty.wasm")));
        var e = await Assert.ThrowsAsync<ContainerArtifactException>(() => ContainerArtifactReader.ReadAsync(store, descriptor));
        var problem = Assert.Single(e.Problems);
        Assert.Equal((BuildProblemCodes.ExportMissing, "entrypoint"), (problem.Code, problem.Path));
        Assert.Equal("module vs config: entrypoint '_start' is not exported by the module (exports: memory, _initialize, atym_step, atym_health)",
            problem.Message);
    }

    [Fact]
    public async Task The_artifact_reader_reports_every_structural_problem_at_once()
    {
        var store = new MemoryStore();
        var module = await store.PushBytesAsync(ContainerMediaTypes.WasmLayer, System.IO.File.ReadAllBytes(TestPaths.File("samples/faulty/faulty.wasm")));
        var stray = await store.PushBytesAsync("application/octet-stream", "x"u8.ToArray());
        var config = await store.PushBytesAsync("application/vnd.oci.image.config.v1+json", "{}"u8.ToArray());
        var manifestBytes = OciJson.Serialize(new ImageManifest { Config = config, Layers = [module, module, stray] });
        var descriptor = await store.PushBytesAsync(MediaTypes.ImageManifest, manifestBytes);

        var e = await Assert.ThrowsAsync<ContainerArtifactException>(() => ContainerArtifactReader.ReadAsync(store, descriptor));
        Assert.Equal(
            [
                (ArtifactProblemCodes.WrongConfigMediaType, "manifest.config.mediaType"), (ArtifactProblemCodes.ModuleLayerCount, "manifest.layers"),
                (ArtifactProblemCodes.UnnamedBlob, "manifest.layers[2].annotations"),
            ],
            e.Problems.Select(p => (p.Code, p.Path)));
        Assert.Contains("is not application/vnd.wasm.config.v0+json", e.Problems[0].Message);
        Assert.Contains("2 application/wasm layers; exactly one is required", e.Problems[1].Message);
        Assert.Contains("(application/octet-stream) has no dev.atym.blob.name annotation", e.Problems[2].Message);
        Assert.StartsWith("not a valid Wasm container (3 problems):\n  manifest.config.mediaType: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_that_does_not_parse_keeps_the_OCI_code_and_its_path_under_manifest()
    {
        // A store refuses such a manifest at push; the reader meets it when given bytes from elsewhere.
        var bytes = """{"schemaVersion":3,"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"""u8.ToArray();
        var e = await Assert.ThrowsAsync<ContainerArtifactException>(
            () => ContainerArtifactReader.ReadAsync(new MemoryStore(), Descriptor.FromBytes(MediaTypes.ImageManifest, bytes), bytes));
        Assert.Contains(e.Problems, p => p.Code == ErrorCodes.ManifestInvalid && p.Path == "manifest.schemaVersion");
        var direct = Assert.Throws<InvalidManifestException>(() => OciJson.Deserialize<ImageManifest>("""{"schemaVersion":3,"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"""u8));
        Assert.Contains(direct.Problems, p => p.Code == ErrorCodes.ManifestInvalid && p.Path == "$.schemaVersion" && p.Message == "must be 2");
    }

    [Fact]
    public async Task The_artifact_reader_refuses_a_tampered_config_layer_list()
    {
        var project = ContainerProject.Load(TestPaths.File("samples/faulty"));
        var packed = ContainerBuilder.Prepare(project, NoTime);
        var store = new MemoryStore();
        foreach (var blob in packed.Blobs) await store.PushAsync(blob.Descriptor, new MemoryStream(blob.Content.ToArray()));
        var badConfig = await store.PushBytesAsync(ContainerMediaTypes.WasmConfig,
            new WasmArtifactConfig { Created = DateTimeOffset.UnixEpoch, LayerDigests = ["sha256:" + new string('0', 64)] }.Serialize());
        var manifestBytes = OciJson.Serialize(packed.ManifestDocument with { Config = badConfig });
        var descriptor = await store.PushBytesAsync(MediaTypes.ImageManifest, manifestBytes);

        var e = await Assert.ThrowsAsync<ContainerArtifactException>(() => ContainerArtifactReader.ReadAsync(store, descriptor));
        var problem = Assert.Single(e.Problems);
        Assert.Equal((ArtifactProblemCodes.LayerDigestsMismatch, "wasmConfig.layerDigests"), (problem.Code, problem.Path));
    }

    [Fact]
    public async Task Inspect_shows_the_container_in_text_and_json()
    {
        using var temp = TempFolder.Create("container");
        var layout = temp.Path;
        var project = ContainerProject.Load(TestPaths.File("samples/sensor-filter-v1.1.0"));
        var manifest = await ContainerBuilder.BuildAsync(project, layout, new BuildOptions { Created = DateTimeOffset.FromUnixTimeSeconds(0) });
        var artifact = await ContainerInspector.InspectLayoutAsync(layout, "1.1.0");

        var text = ContainerInspector.ToText(artifact);
        Assert.Contains("Container     sensor-filter 1.1.0", text);
        Assert.Contains($"Manifest      {manifest.Digest}", text);
        Assert.Contains("Permissions   log, sensor:temp0, publish:telemetry/temp", text);
        Assert.Contains("Health        atym_health every 1000 ms (timeout 200 ms), 3 passes confirm", text);

        using var json = System.Text.Json.JsonDocument.Parse(ContainerInspector.ToJson(artifact));
        Assert.Equal(manifest.Digest.ToString(), json.RootElement.GetProperty("manifestDigest").GetString());
        Assert.Equal("1.1.0", json.RootElement.GetProperty("config").GetProperty("version").GetString());
        Assert.Equal(131072, json.RootElement.GetProperty("module").GetProperty("memoryMaxBytes").GetInt64());
    }
}
