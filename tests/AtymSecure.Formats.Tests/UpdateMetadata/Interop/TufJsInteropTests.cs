using AtymSecure.Primitives;
using System.Text;
using System.Text.Json;
using AtymSecure.Formats.Tests.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.TestSupport;
using CsCheck;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Interop;

/// <summary>
/// A standard TUF client reads what our writer makes (issue 13 §1): tuf-js 6.0.2, in a node process, refreshes over
/// HTTP from a loopback server, walks root rotations, resolves our delegations, downloads a hash-prefixed target, and
/// refuses what our verifier refuses. And @tufjs/canonical-json agrees with our canonical writer byte for byte.
/// </summary>
[Trait("Requires", "node")]
public sealed class TufJsInteropTests : IDisposable
{
    private readonly TempFolder _scratch = TempFolder.Create("tufjs");

    public void Dispose() => _scratch.Dispose();

    /// <summary>A fresh tuf-js metadata folder trusting <paramref name="root"/>.</summary>
    private string ClientFolder(byte[] root, string name = "client")
    {
        var dir = _scratch.Folder(name);
        File.WriteAllBytes(Path.Combine(dir, "root.json"), root);
        return dir;
    }

    private static LoopbackMetadataServer ServeGoldenImageRepository()
    {
        var server = new LoopbackMetadataServer();
        var image = GoldenUpdateMetadataTests.Load("image");
        server.SetMetadata(image.Names, name => image[name]);
        var targets = Path.Combine(GoldenUpdateMetadataTests.GoldenDir, "targets");
        foreach (var file in Directory.GetFiles(targets, "*", SearchOption.AllDirectories))
            server.SetTarget(Path.GetRelativePath(targets, file).Replace('\\', '/'), File.ReadAllBytes(file));
        return server;
    }

    [Fact]
    public async Task Tuf_js_reads_the_golden_image_repository_and_downloads_its_image()
    {
        using var server = ServeGoldenImageRepository();
        var image = File.ReadAllBytes(Path.Combine(GoldenUpdateMetadataTests.GoldenDir, "image.img"));
        var path = TargetPaths.Image(GoldenUpdateMetadataTests.Release, TestImageRepository.Hex(image));
        var dir = ClientFolder(File.ReadAllBytes(Path.Combine(GoldenUpdateMetadataTests.GoldenDir, "image", "1.root.json")));

        var verdict = await TufJsPeer.RefreshAsync(server, dir, path);

        Assert.True(verdict.GetProperty("ok").GetBoolean(), verdict.ToString());
        Assert.Equal(2, verdict.GetProperty("root").GetInt32());
        Assert.Equal(3, verdict.GetProperty("timestamp").GetInt32());
        var target = verdict.GetProperty("target");
        Assert.Equal(TestImageRepository.Hex(image), target.GetProperty("sha256").GetString());
        Assert.Equal("sensor-filter", target.GetProperty("custom").GetProperty("container").GetString());
        Assert.Equal(image, File.ReadAllBytes(target.GetProperty("file").GetString()!));
        Assert.Contains($"targets/{Path.GetDirectoryName(path)}/{TestImageRepository.Hex(image)}.{Path.GetFileName(path)}", server.Requests);
        Assert.Contains("metadata/3.compiler-linux-x86_64.json", server.Requests);
        Assert.Contains("metadata/3.root.json", server.Requests); // the walk ends at the first 404
    }

    [Theory]
    [InlineData("timestamp.wrong-key.json", "timestamp.json", "UnsignedMetadataError", "")]
    [InlineData("timestamp.expired.json", "timestamp.json", "ExpiredMetadataError", "")]
    [InlineData("compiler.tampered.json", "3.compiler-linux-x86_64.json", "RuntimeError", "Expected hash")] // tuf-js wraps the hash error
    public async Task Tuf_js_refuses_the_golden_bad_files_our_verifier_refuses(string bad, string replaces, string error, string message)
    {
        using var server = ServeGoldenImageRepository();
        server.SetMetadata(replaces, File.ReadAllBytes(Path.Combine(GoldenUpdateMetadataTests.GoldenDir, "bad", bad)));
        var image = File.ReadAllBytes(Path.Combine(GoldenUpdateMetadataTests.GoldenDir, "image.img"));
        var dir = ClientFolder(File.ReadAllBytes(Path.Combine(GoldenUpdateMetadataTests.GoldenDir, "image", "1.root.json")));

        var verdict = await TufJsPeer.RefreshAsync(server, dir, TargetPaths.Image(GoldenUpdateMetadataTests.Release, TestImageRepository.Hex(image)));

        Assert.False(verdict.GetProperty("ok").GetBoolean(), verdict.ToString());
        Assert.True(error == verdict.GetProperty("error").GetString(), verdict.ToString());
        Assert.Contains(message, verdict.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tuf_js_follows_a_live_repository_across_a_root_rotation_and_refuses_expired_metadata()
    {
        var real = DateTimeOffset.UtcNow;
        var clock = new ManualClock(new DateTimeOffset(real.Ticks - real.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero));
        var repository = new TestImageRepository(clock);
        var release = new ReleaseIdentity("sensor-filter", "2.0.0", "linux-x86_64", 3, AtymSecure.Formats.Bundle.ArtifactKind.WasmtimeNative);
        var image = "live image"u8.ToArray();
        var imageSha = repository.AddRelease(release, image, "live wasm"u8.ToArray());
        repository.Publish();
        var path = TargetPaths.Image(release, imageSha);
        using var server = new LoopbackMetadataServer();
        void Serve() => server.SetMetadata(repository.Source.Names, name => repository.Source[name]);
        Serve();
        server.SetTarget($"{Path.GetDirectoryName(path)}/{imageSha}.{Path.GetFileName(path)}", image);
        var dir = ClientFolder(repository.RootFile(1));

        var first = await TufJsPeer.RefreshAsync(server, dir, path);
        Assert.True(first.GetProperty("ok").GetBoolean(), first.ToString());
        Assert.Equal(1, first.GetProperty("root").GetInt32());

        // Root 2: a new root key and a new timestamp key, signed by the old and the new root key.
        repository.TimestampKey = TestKeys.Ed25519("live-timestamp-2");
        repository.RotateRoot(root => root, [TestKeys.Ed25519("live-root-2")]);
        repository.PublishTimestamp();
        Serve();
        var second = await TufJsPeer.RefreshAsync(server, dir, path);
        Assert.True(second.GetProperty("ok").GetBoolean(), second.ToString());
        Assert.Equal(2, second.GetProperty("root").GetInt32());
        Assert.Equal(repository.TimestampVersion, second.GetProperty("timestamp").GetInt32());

        // A correctly signed timestamp that expired an hour ago: tuf-js and our verifier both refuse it.
        repository.TimestampLife = TimeSpan.FromHours(-1);
        repository.PublishTimestamp();
        Serve();
        var third = await TufJsPeer.RefreshAsync(server, dir);
        Assert.False(third.GetProperty("ok").GetBoolean(), third.ToString());
        Assert.Equal("ExpiredMetadataError", third.GetProperty("error").GetString());
        Assert.Equal(ReasonCodes.MetadataExpired, OurVerdictOnTimestamp(repository, clock));
    }

    /// <summary>Our verifier on the same image repository (with a director naming the same image).</summary>
    private static string? OurVerdictOnTimestamp(TestImageRepository repository, ManualClock clock)
    {
        var director = new TestDirector(clock);
        var release = new ReleaseIdentity("sensor-filter", "2.0.0", "linux-x86_64", 3, AtymSecure.Formats.Bundle.ArtifactKind.WasmtimeNative);
        var image = "live image"u8.ToArray();
        director.Assign(UpdateScenario.DeviceId, "linux-x86_64", "nonce-live-000000000001", new TestDirector.Assignment(release, TestImageRepository.Hex(image), image.Length, [1]));
        var device = new DeviceContext(UpdateScenario.DeviceId, "linux-x86_64", ["nonce-live-000000000001"],
            new EquatableMap<InstalledContainer>([KeyValuePair.Create("sensor-filter", new InstalledContainer(0))]));
        var state = TrustedState.Provision(repository.RootFile(1), director.Source["1.root.json"]);
        return new UpdateVerifier(clock).Check(state, new UpdateSources(director.Source, repository.Source), device).Refusal?.Code;
    }

    [Fact]
    public async Task Our_canonical_form_is_tuf_js_canonical_form_for_generated_values()
    {
        var values = CanonicalJsonFuzzTests.Values.Array[400].Single(_ => true, "0001cTAzZQQ1") // pinned: the same 400 values every run
            .Where(KeyOrdersAgree).ToList();
        var texts = values.Select(v => Encoding.UTF8.GetString(CanonicalJsonWriter.EncodeDocument(v))).ToList();

        var theirs = await TufJsPeer.CanonicalAsync(texts, _scratch.Path);

        Assert.Equal(values.Count, theirs.Length);
        for (var i = 0; i < values.Count; i++)
            Assert.True(Convert.ToHexStringLower(CanonicalJsonWriter.Encode(values[i])) == theirs[i], $"differs for {texts[i]}");
        Assert.True(values.Count > 300);
    }

    /// <summary>False when an object's keys sort differently by code point and by UTF-16 unit (the one documented divergence).</summary>
    private static bool KeyOrdersAgree(CanonicalJsonValue value) => value switch
    {
        CanonicalJsonObject o => o.Members.Keys.Order(CodePointComparer.Instance).SequenceEqual(o.Members.Keys.Order(StringComparer.Ordinal))
            && o.Members.Values.All(KeyOrdersAgree),
        CanonicalJsonArray a => a.Items.All(KeyOrdersAgree),
        _ => true,
    };
}
