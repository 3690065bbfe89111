using System.Text;
using AtymSecure.Formats;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.OtaMetadata.Tests.Offline;

/// <summary>The operator's offline flow end to end: atym tuf's library signs, the server accepts, a device verifies.</summary>
public sealed class OfflineRepositoryTests : IDisposable
{
    private readonly TempFolder _scratch = TempFolder.Create("tuf-offline");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly FileOnlineKeyStore _online;
    private readonly OfflineRepository _offline;

    public OfflineRepositoryTests()
    {
        _online = new FileOnlineKeyStore(_scratch.File("server/tuf/keys"));
        foreach (var role in OnlineRoleNames.All) _online.EnsureKey(role);
        _offline = new OfflineRepository(_scratch.File("operator"), PassphraseSource.FromValue("offline pass"), _clock, keyIterations: 10_000);
    }

    private string OnlineKeys => _online.Folder;

    public void Dispose()
    {
        _online.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public async Task Init_and_delegations_signed_offline_are_accepted_by_the_server_and_a_device_installs_a_release()
    {
        await _offline.InitAsync(OnlineKeys, SignatureAlgorithm.EcdsaP256Sha256);
        using var vendorKey = KeyGenerator.Generate(SignatureAlgorithm.Ed25519);
        await _offline.AddVendorAsync("acme", new RoleAssignment([TufKey.From(vendorKey.PublicKey)], 1), ["sensor-*"]);
        await _offline.AddCompilerAsync("linux-x86_64", OnlineKeys);

        var image = new ImageRepository(_scratch.File("server/tuf/image"), _online, _clock);
        var director = new UptaneDirector(_scratch.File("server/tuf/director"), _online, _clock);
        image.AcceptRoot(_offline.Image.Read("1.root.json"));
        foreach (var version in _offline.Image.Versions("targets")) image.AcceptTargets(_offline.Image.Read($"{version}.targets.json"));
        director.AcceptRoot(_offline.Director.Read("1.root.json"));

        var wasm = Encoding.ASCII.GetBytes("source wasm");
        var listing = new TargetsMetadata
        {
            Version = 1,
            Expires = _clock.GetUtcNow().AddDays(180),
            Targets = new EquatableMap<TargetFile>([KeyValuePair.Create(TargetPaths.Source("sensor-filter", "1.2.0"), TargetFile.Describe(wasm))]),
        };
        image.AcceptDelegated("vendor-acme", MetadataSigning.Sign(listing, new OfflineMetadataSigner(vendorKey)).ToBytes());
        var imageBytes = Encoding.ASCII.GetBytes("image");
        var target = new CompiledImageTarget(DirectorFixture.Release, RepositoryFixture.Hex(imageBytes), imageBytes.Length, "sha256:" + RepositoryFixture.Hex(wasm));
        image.AddCompiledImages("linux-x86_64", [target]);
        director.Signer.Answer(DirectorFixture.Request("nonce-offline-aaaaaaaaa",
            new DirectorBundleTarget(target.Release, new string('e', 64), 10, new ImageReference(target.ImageSha256, target.Length))));

        var directorSource = new MemoryMetadataSource { ["1.root.json"] = director.File(DirectorFixture.DeviceId, "1.root.json"), ["targets.json"] = director.File(DirectorFixture.DeviceId, "targets.json") };
        var imageSource = new MemoryMetadataSource();
        foreach (var file in Directory.GetFiles(image.Metadata.Path)) imageSource[Path.GetFileName(file)] = File.ReadAllBytes(file);
        var state = TrustedState.Provision(_offline.Image.Read("1.root.json"), _offline.Director.Read("1.root.json"));
        var check = new UpdateVerifier(_clock).Check(state, new UpdateSources(directorSource, imageSource), RepositoryFixture.FreshDevice("nonce-offline-aaaaaaaaa"));

        Assert.True(check.Update is not null, check.ToString());
        Assert.Equal(DirectorFixture.Release, Assert.Single(check.Update!.Installs).Release);
    }

    [Fact]
    public async Task A_key_already_serving_a_role_is_refused_for_a_delegation()
    {
        await _offline.InitAsync(OnlineKeys, SignatureAlgorithm.Ed25519);
        var targetsKey = TufKey.From(VerificationKey.FromFile(Path.Combine(_offline.Keys.Folder, "image-targets-1.pub")));
        var compilerKey = OnlinePublicKeys.Newest(OnlineKeys, OnlineRole.Compiler);
        await _offline.AddCompilerAsync("linux-x86_64", OnlineKeys);

        var asTargets = await Assert.ThrowsAsync<ProblemException>(() => _offline.AddVendorAsync("acme", new RoleAssignment([targetsKey], 1), ["sensor-*"]));
        var asCompiler = await Assert.ThrowsAsync<ProblemException>(() => _offline.AddVendorAsync("acme", new RoleAssignment([compilerKey], 1), ["sensor-*"]));

        Assert.Equal(RootPlan.KeyInTwoRoles, asTargets.Problems[0].Code);
        Assert.Equal(RootPlan.KeyInTwoRoles, asCompiler.Problems[0].Code);
        Assert.Equal([1L, 2L], _offline.Image.Versions("targets")); // nothing written for the refused ones
    }

    [Fact]
    public async Task An_online_key_cannot_become_a_root_key()
    {
        await _offline.InitAsync(OnlineKeys, SignatureAlgorithm.Ed25519);
        var timestamp = OnlinePublicKeys.Newest(OnlineKeys, OnlineRole.Timestamp);

        var refused = await Assert.ThrowsAsync<ProblemException>(() => _offline.RotateRootAsync("image", (roles, _) =>
        {
            roles["root"] = new RoleAssignment([.. roles["root"].Keys, timestamp], 1);
            return Task.CompletedTask;
        }));

        Assert.Equal(RootPlan.KeyInTwoRoles, refused.Problems[0].Code);
        Assert.Null(_offline.Image.Read("2.root.json"));
    }

    [Fact]
    public async Task Rotate_root_signs_with_old_and_new_root_keys_and_the_server_accepts_it()
    {
        await _offline.InitAsync(OnlineKeys, SignatureAlgorithm.EcdsaP256Sha256);
        await _offline.AddCompilerAsync("linux-x86_64", OnlineKeys);
        var image = new ImageRepository(_scratch.File("server/tuf/image"), _online, _clock);
        image.AcceptRoot(_offline.Image.Read("1.root.json"));
        var newTimestamp = _online.Generate(OnlineRole.Timestamp);

        await _offline.RotateRootAsync("image", async (roles, keys) =>
        {
            roles["root"] = new RoleAssignment([await keys.GenerateAsync(keys.NextName("image-root"), SignatureAlgorithm.EcdsaP256Sha256)], 1);
            roles["timestamp"] = new RoleAssignment([newTimestamp.PublicKey], 1);
        });
        image.AcceptRoot(_offline.Image.Read("2.root.json"));

        var root2 = SignedMetadata<RootMetadata>.Parse(_offline.Image.Read("2.root.json"));
        Assert.Equal(2, root2.Signatures.Count);
        Assert.Equal(2, image.Roots.Current!.Signed.Version);

        // Without the old root's private key the next rotation cannot be signed.
        File.Delete(Path.Combine(_offline.Keys.Folder, "image-root-2.key"));
        var refused = await Assert.ThrowsAsync<ProblemException>(() => _offline.RotateRootAsync("image", (_, _) => Task.CompletedTask));
        Assert.Equal("offline-key-missing", refused.Problems[0].Code);
    }
}
