using System.Text;
using System.Text.Json;
using AtymSecure.Formats;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaMetadata.Tests.Http;

/// <summary>
/// tuf-js 6.0.2 (tests/node, a standard TUF client sharing no code with us) against OUR server over real HTTP:
/// refresh from root 1, delegation search, hash-prefixed download; across a rotation of the root, timestamp and
/// snapshot keys; and refusal of an expired timestamp, as our device verifier refuses it.
/// </summary>
[Trait("Requires", "node")]
public sealed class TufJsServerInteropTests : IDisposable
{
    private readonly RepositoryFixture _fixture;
    private readonly TempFolder _scratch = TempFolder.Create("tufjs-server");

    public TufJsServerInteropTests()
    {
        // tuf-js judges expiry by the real clock, so the server's clock starts at real time.
        var now = DateTimeOffset.UtcNow;
        _fixture = new RepositoryFixture(new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero));
    }

    public void Dispose()
    {
        _scratch.Dispose();
        _fixture.Dispose();
    }

    [Fact]
    public async Task Tuf_js_refreshes_from_our_server_across_a_root_rotation_and_refuses_an_expired_timestamp()
    {
        var imageBytes = Encoding.ASCII.GetBytes("an image tuf-js downloads from the OTA server");
        var image = _fixture.Release(DirectorFixture.Release, imageBytes, Encoding.ASCII.GetBytes("its source wasm"));
        ((FolderTargetContent)_fixture.Image.Content).Put(imageBytes);
        await using var server = await TufServer.StartAsync(_fixture.Image);
        var dir = _scratch.Folder("client");
        File.WriteAllBytes(Path.Combine(dir, "root.json"), _fixture.Image.Metadata.Read("1.root.json")!);

        var first = await RefreshAsync(server, dir, image.Path);
        Assert.True(first.GetProperty("ok").GetBoolean(), first.ToString());
        Assert.Equal(1, first.GetProperty("root").GetInt32());
        Assert.Equal(image.ImageSha256, first.GetProperty("target").GetProperty("sha256").GetString());
        Assert.Equal("sensor-filter", first.GetProperty("target").GetProperty("custom").GetProperty("container").GetString());
        Assert.Equal(imageBytes, File.ReadAllBytes(first.GetProperty("target").GetProperty("file").GetString()!));

        // Root 2: new root key (old and new sign), new timestamp and snapshot keys made on the server.
        var oldRoot = _fixture.RootKey;
        _fixture.RootKey = OfflineTestKeys.Get("image-root-2");
        _fixture.Image.AcceptRoot(_fixture.SignImageRoot(2, [oldRoot, _fixture.RootKey],
            _fixture.Keys.Generate(OnlineRole.Snapshot), _fixture.Keys.Generate(OnlineRole.Timestamp)));
        var second = await RefreshAsync(server, dir, image.Path);
        Assert.True(second.GetProperty("ok").GetBoolean(), second.ToString());
        Assert.Equal(2, second.GetProperty("root").GetInt32());
        Assert.Equal(_fixture.Image.Published.Timestamp!.Signed.Version, second.GetProperty("timestamp").GetInt32());

        // A correctly signed timestamp that expired yesterday (the server's clock was two days behind when it signed).
        var now = _fixture.Clock.GetUtcNow();
        _fixture.Clock.AdjustTime(now.AddDays(-2));
        _fixture.Image.PublishTimestamp();
        _fixture.Clock.AdjustTime(now);
        var third = await RefreshAsync(server, dir, null);
        Assert.False(third.GetProperty("ok").GetBoolean(), third.ToString());
        Assert.Equal("ExpiredMetadataError", third.GetProperty("error").GetString());

        _fixture.Assign(image, "nonce-expired-aaaaaaaaa");
        var ours = _fixture.DeviceCheck(_fixture.Provisioned(), RepositoryFixture.FreshDevice("nonce-expired-aaaaaaaaa"));
        Assert.Equal(ReasonCodes.MetadataExpired, ours.Refusal?.Code);
    }

    private static async Task<JsonElement> RefreshAsync(TufServer server, string dir, string? target)
    {
        var folder = RepositoryRoot.File("tests/node");
        if (!File.Exists(Path.Combine(folder, "node_modules", "tuf-js", "package.json")))
            throw new InvalidOperationException("tuf-js is missing from tests/node/node_modules: run `npm ci` in tests/node (scripts/test-deps.sh does it)");
        var node = ExternalTool.Require("node", "install Node.js (Debian package 'nodejs') — scripts/test-deps.sh");
        List<string> args = [Path.Combine(folder, "tuf-client.js"), "--metadata-url", server.MetadataUrl.ToString(), "--targets-url", server.TargetsUrl.ToString(), "--dir", dir];
        if (target is not null) args.AddRange(["--target", target, "--out", Path.Combine(dir, "downloaded")]);
        var result = await ExternalTool.RunAsync(node, args, workingDirectory: folder);
        if (result.ExitCode is not (0 or 1)) throw new InvalidOperationException($"tuf-client.js did not run properly: {result}");
        var line = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"tuf-client.js printed nothing: {result}");
        using var verdict = JsonDocument.Parse(line);
        return verdict.RootElement.Clone();
    }
}
