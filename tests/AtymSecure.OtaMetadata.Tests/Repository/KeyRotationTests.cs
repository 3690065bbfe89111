using System.Text;
using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.OtaMetadata.Keys;

namespace AtymSecure.OtaMetadata.Tests.Repository;

/// <summary>Rotating the online keys keeps every device updating (issue 13 §1), checked with the device's verifier.</summary>
public sealed class KeyRotationTests : IDisposable
{
    private readonly RepositoryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private UpdateCheck Poll(TrustedState state, string nonce, OtaMetadata.Repository.CompiledImageTarget image)
    {
        _fixture.Assign(image, nonce);
        return _fixture.DeviceCheck(state, RepositoryFixture.FreshDevice(nonce));
    }

    [Fact]
    public void Rotating_timestamp_and_snapshot_keys_keeps_devices_updating_including_one_that_missed_intermediate_roots()
    {
        var image = (_fixture.Release(DirectorFixture.Release, Encoding.ASCII.GetBytes("image 1"), Encoding.ASCII.GetBytes("wasm 1")));
        var following = Poll(_fixture.Provisioned(), "nonce-first-aaaaaaaaaa", image);
        Assert.NotNull(following.Update);
        var stale = following.State; // this device will miss roots 2 and 3

        // Root 2: new timestamp and snapshot keys made on the server, listed by the operator offline.
        var timestamp2 = _fixture.Keys.Generate(OnlineRole.Timestamp);
        var snapshot2 = _fixture.Keys.Generate(OnlineRole.Snapshot);
        _fixture.Image.AcceptRoot(_fixture.SignImageRoot(2, [_fixture.RootKey], snapshot2, timestamp2));
        Assert.Equal(timestamp2.PublicKey.KeyId, Assert.Single(_fixture.Image.Published.Timestamp!.Signatures).KeyId);
        Assert.Equal(snapshot2.PublicKey.KeyId, Assert.Single(_fixture.Image.Published.Snapshot!.Signatures).KeyId);
        var second = Poll(following.State, "nonce-second-aaaaaaaaa", image);
        Assert.True(second.Update is not null, second.ToString());

        // Root 3: a new root key too (signed by the old and the new), and the timestamp key again.
        var oldRoot = _fixture.RootKey;
        _fixture.RootKey = OfflineTestKeys.Get("image-root-3");
        var timestamp3 = _fixture.Keys.Generate(OnlineRole.Timestamp);
        _fixture.Image.AcceptRoot(_fixture.SignImageRoot(3, [oldRoot, _fixture.RootKey], snapshot2, timestamp3));
        var newRelease = DirectorFixture.Release with { Version = "1.3.0", SecurityCounter = 8 };
        var image2 = (_fixture.Release(newRelease, Encoding.ASCII.GetBytes("image 2"), Encoding.ASCII.GetBytes("wasm 2")));

        var followed = Poll(second.State, "nonce-third-aaaaaaaaaa", image2);
        var missed = Poll(stale, "nonce-fourth-aaaaaaaaa", image2);

        Assert.True(followed.Update is not null, followed.ToString());
        Assert.True(missed.Update is not null, missed.ToString());
        Assert.Equal(3, missed.State.ImageRoot.Signed.Version);
        Assert.Equal(newRelease, Assert.Single(missed.Update!.Installs).Release);
    }

    [Fact]
    public void A_new_compiler_key_in_new_top_level_targets_re_signs_the_compiler_role_and_devices_follow()
    {
        var image = (_fixture.Release(DirectorFixture.Release, Encoding.ASCII.GetBytes("image 1"), Encoding.ASCII.GetBytes("wasm 1")));
        var first = Poll(_fixture.Provisioned(), "nonce-first-aaaaaaaaaa", image);
        Assert.NotNull(first.Update);

        var compiler2 = _fixture.Keys.Generate(OnlineRole.Compiler);
        _fixture.Image.AcceptTargets(_fixture.SignTopLevel(2, compiler2));

        var compilerDoc = _fixture.Image.Published.Delegated["compiler-linux-x86_64"];
        Assert.Equal(compiler2.PublicKey.KeyId, Assert.Single(compilerDoc.Signatures).KeyId);
        Assert.Contains(image.Path, compilerDoc.Signed.Targets.Keys); // the listing survives the rotation
        Assert.Equal(compiler2.PublicKey, _fixture.Image.For("linux-x86_64").PublicKey);
        var second = Poll(first.State, "nonce-second-aaaaaaaaa", image);
        Assert.True(second.Update is not null, second.ToString());
        Assert.Equal(compiler2.PublicKey, Assert.Single(Assert.Single(second.Update!.Installs).ImageRole.Keys));
    }

    [Fact]
    public void A_root_that_lists_no_timestamp_key_the_server_holds_is_refused_before_anything_is_published()
    {
        var before = _fixture.Image.Published;
        var offlineTimestamp = OfflineTestKeys.Get("timestamp-not-on-server");
        var root2 = Formats.UpdateMetadata.Signing.MetadataSigning.Sign(OtaMetadata.Offline.RootPlan.Build(2, _fixture.Clock.GetUtcNow().AddDays(365),
            new Dictionary<string, OtaMetadata.Offline.RoleAssignment>
            {
                ["root"] = new([_fixture.RootKey.PublicKey], 1),
                ["targets"] = new([_fixture.TargetsKey.PublicKey], 1),
                ["snapshot"] = new([_fixture.Online(OnlineRole.Snapshot).PublicKey], 1),
                ["timestamp"] = new([offlineTimestamp.PublicKey], 1),
            }, consistentSnapshot: true), _fixture.RootKey).ToBytes();

        var refused = Assert.Throws<Primitives.ProblemException>(() => _fixture.Image.AcceptRoot(root2));

        Assert.Equal(OnlineKeySelection.NoListedKey, refused.Problems[0].Code);
        Assert.Equal(before, _fixture.Image.Published);
        Assert.Null(_fixture.Image.Metadata.Read("2.root.json"));
    }
}
