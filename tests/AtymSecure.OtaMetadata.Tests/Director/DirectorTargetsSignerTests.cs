using AtymSecure.Formats;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Tests.Director;

public sealed class DirectorTargetsSignerTests : IDisposable
{
    private const string Nonce1 = "nonce-aaaaaaaaaaaaaaaa";
    private const string Nonce2 = "nonce-bbbbbbbbbbbbbbbb";

    private readonly DirectorFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private UpdateCheck DeviceChecks(TrustedState state, DeviceContext device) =>
        new UpdateVerifier(_fixture.Clock).Check(state, new UpdateSources(_fixture.DirectorSource(), ImageRootOnly()), device);

    private MemoryMetadataSource ImageRootOnly() => new() { ["1.root.json"] = _fixture.ImageRoot };

    private TrustedState Provisioned(long directorRootVersion = 1) =>
        TrustedState.Provision(_fixture.ImageRoot, _fixture.Director.File(DirectorFixture.DeviceId, $"{directorRootVersion}.root.json"));

    [Fact]
    public void The_signed_document_passes_the_devices_director_checks()
    {
        var target = DirectorFixture.Target();
        var answer = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, target));

        var check = DeviceChecks(Provisioned(), DirectorFixture.DeviceHolding(target.Image.Sha256, Nonce1));

        Assert.True(check.IsUpToDate, check.ToString());
        Assert.Equal(answer.Document, check.State.DirectorTargets);
        Assert.Equal(1, answer.Version);
        Assert.Equal(_fixture.Clock.GetUtcNow().AddDays(1), answer.Expires);
        var entry = Assert.Single(answer.Document.Signed.Targets);
        Assert.Equal(TargetPaths.Bundle("sensor-filter", target.BundleSha256), entry.Key);
        Assert.Equal(2048, entry.Value.Length);
    }

    [Fact]
    public void The_same_request_returns_the_stored_document_and_a_new_nonce_signs_the_next_version()
    {
        var first = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, DirectorFixture.Target()));
        var again = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, DirectorFixture.Target()));
        var next = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce2, DirectorFixture.Target()));

        Assert.True(first.NewlySigned);
        Assert.False(again.NewlySigned);
        Assert.Equal(first.ToBytes(), again.ToBytes());
        Assert.Equal(first.ETag, again.ETag);
        Assert.True(next.NewlySigned);
        Assert.Equal(2, next.Version);
        Assert.NotEqual(first.ETag, next.ETag);
    }

    [Fact]
    public void An_unchanged_document_is_re_signed_once_less_than_12_hours_remain()
    {
        var first = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, DirectorFixture.Target()));
        _fixture.Clock.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        var still = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, DirectorFixture.Target()));
        _fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var resigned = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, DirectorFixture.Target()));

        Assert.False(still.NewlySigned);
        Assert.True(resigned.NewlySigned);
        Assert.Equal(first.Version + 1, resigned.Version);
        Assert.Equal(_fixture.Clock.GetUtcNow().AddDays(1), resigned.Expires);
        // A device that accepted version 1 accepts the re-signed version 2 (same nonce: the report it answers).
        var device = DirectorFixture.DeviceHolding(DirectorFixture.Target().Image.Sha256, Nonce1);
        Assert.True(DeviceChecks(Provisioned(), device).IsUpToDate);
    }

    [Fact]
    public void Versions_keep_rising_after_a_restart_on_the_same_data_folder()
    {
        _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, DirectorFixture.Target()));
        var restarted = new UptaneDirector(_fixture.Data.File("director"), _fixture.Keys, _fixture.Clock);

        var answer = restarted.Signer.Answer(DirectorFixture.Request(Nonce2, DirectorFixture.Target()));

        Assert.Equal(2, answer.Version);
        Assert.Equal(answer.ToBytes(), restarted.File(DirectorFixture.DeviceId, UptaneDirector.TargetsFile));
    }

    [Fact]
    public void The_store_refuses_a_writer_that_lost_the_race()
    {
        var store = new FileDirectorTargetsStore(_fixture.Data.File("race"));
        var v1 = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1)).Document;
        var v2 = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce2)).Document;

        Assert.True(store.TryReplace(DirectorFixture.DeviceId, 0, v1));
        Assert.False(store.TryReplace(DirectorFixture.DeviceId, 0, v2)); // stale: version 1 is stored
        Assert.False(store.TryReplace(DirectorFixture.DeviceId, 1, v1)); // not higher
        Assert.True(store.TryReplace(DirectorFixture.DeviceId, 1, v2));
        Assert.Equal(2, store.Latest(DirectorFixture.DeviceId)!.Signed.Version);
    }

    [Fact]
    public void A_rotated_director_targets_key_keeps_devices_updating_including_one_that_missed_a_root()
    {
        var image = DirectorFixture.Target().Image.Sha256;
        _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, DirectorFixture.Target()));
        var device = DirectorFixture.DeviceHolding(image, Nonce1, Nonce2);
        var upToDate = DeviceChecks(Provisioned(), device);
        Assert.True(upToDate.IsUpToDate, upToDate.ToString());

        // Root 2: a new online director-targets key (old and new root key sign); root 3: a new root key too.
        var key2 = _fixture.Keys.Generate(OnlineRole.DirectorTargets);
        var root2Key = OfflineTestKeys.Get("director-root-2");
        _fixture.Director.AcceptRoot(_fixture.SignRoot(2, root2Key, key2.PublicKey, [_fixture.RootKey, root2Key]));
        var key3 = _fixture.Keys.Generate(OnlineRole.DirectorTargets);
        _fixture.Director.AcceptRoot(_fixture.SignRoot(3, root2Key, key3.PublicKey, [root2Key]));

        // Same content, but the stored document's key is no longer listed: the signer re-signs with key 3.
        var answer = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce2, DirectorFixture.Target()));
        Assert.Equal(key3.PublicKey.KeyId, Assert.Single(answer.Document.Signatures).KeyId);

        var followed = DeviceChecks(upToDate.State, device); // walks 2 and 3
        var missed = DeviceChecks(Provisioned(), device); // provisioned with root 1, never saw 2
        Assert.True(followed.IsUpToDate, followed.ToString());
        Assert.True(missed.IsUpToDate, missed.ToString());
        Assert.Equal(3, followed.State.DirectorRoot.Signed.Version);
        Assert.Equal(answer.Document, missed.State.DirectorTargets);
    }

    [Fact]
    public void A_root_not_signed_by_the_current_root_key_is_refused_and_nothing_is_published()
    {
        var intruder = OfflineTestKeys.Get("intruder");
        var bad = _fixture.SignRoot(2, intruder, _fixture.Keys.Keys(OnlineRole.DirectorTargets)[0].PublicKey, [intruder]);

        var refused = Assert.Throws<Formats.UpdateMetadata.MetadataRefusedException>(() => _fixture.Director.AcceptRoot(bad));

        Assert.Equal(ReasonCodes.ThresholdNotMet, refused.Code);
        Assert.Null(_fixture.Director.File(DirectorFixture.DeviceId, "2.root.json"));
    }

    [Fact]
    public void Without_a_listed_key_on_the_server_nothing_is_signed()
    {
        var offline = OfflineTestKeys.Get("director-targets-offline");
        _fixture.Director.AcceptRoot(_fixture.SignRoot(2, _fixture.RootKey, offline.PublicKey, [_fixture.RootKey]));

        var refused = Assert.Throws<ProblemException>(() => _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1)));

        Assert.Equal(OnlineKeySelection.NoListedKey, refused.Problems[0].Code);
        Assert.Null(_fixture.Director.Signer.Latest(DirectorFixture.DeviceId));
    }

    private static readonly DateTimeOffset Opens = new(2026, 12, 5, 1, 0, 0, TimeSpan.Zero);

    private static InstallWindow Window(params int[] days) =>
        new([.. days.Select(d => new UtcInterval(Opens.AddDays(d), Opens.AddDays(d).AddHours(2)))]);

    [Fact]
    public void An_install_window_is_signed_into_the_target_and_a_new_window_signs_a_new_version()
    {
        var target = DirectorFixture.Target() with { Window = Window(0, 1) };
        var answer = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, target));

        var check = DeviceChecks(Provisioned(), DirectorFixture.DeviceHolding(target.Image.Sha256, Nonce1));
        Assert.True(check.IsUpToDate, check.ToString()); // the device accepted the signed document
        var custom = DirectorTargetCustom.FromJson(Assert.Single(check.State.DirectorTargets!.Signed.Targets).Value.Custom, "$");
        Assert.Equal(Window(0, 1), custom.Window);

        var same = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, target));
        var moved = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, target with { Window = Window(1, 2) }));
        var forced = _fixture.Director.Signer.Answer(DirectorFixture.Request(Nonce1, target with { Window = null }));
        Assert.False(same.NewlySigned);
        Assert.Equal((2L, 3L), (moved.Version, forced.Version));
        Assert.Null(DirectorTargetCustom.FromJson(Assert.Single(forced.Document.Signed.Targets).Value.Custom, "$").Window);
        Assert.False(Assert.Single(forced.Document.Signed.Targets).Value.Custom!.Members.ContainsKey(InstallWindow.Member));
        Assert.Equal(1, answer.Version);
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { "short-nonce", "$.nonce" },
        { "dot-device", "$.deviceId" },
        { "other-class", "$.targets[0].deviceClass" },
        { "twice", "$.targets[1].container" },
        { "bad-bundle-hash", "$.targets[0].bundleSha256" },
        { "bad-container", "$.targets[0].container" },
        { "bad-version", "$.targets[0].version" },
        { "overlapping-window", "$.targets[0].installWindow.intervals[1]" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Requests_a_device_would_refuse_are_refused_with_the_field(string kind, string path)
    {
        var ok = DirectorFixture.Target();
        var request = kind switch
        {
            "short-nonce" => DirectorFixture.Request("short", ok),
            "dot-device" => DirectorFixture.Request(Nonce1, ok) with { DeviceId = ".." },
            "other-class" => DirectorFixture.Request(Nonce1, ok with { Release = ok.Release with { DeviceClass = "mcu-cortex-m33" } }),
            "twice" => DirectorFixture.Request(Nonce1, ok, ok),
            "bad-bundle-hash" => DirectorFixture.Request(Nonce1, ok with { BundleSha256 = "XYZ" }),
            "bad-container" => DirectorFixture.Request(Nonce1, ok with { Release = ok.Release with { Container = "../etc" } }),
            "bad-version" => DirectorFixture.Request(Nonce1, ok with { Release = ok.Release with { Version = "1.2" } }),
            "overlapping-window" => DirectorFixture.Request(Nonce1, ok with { Window = new InstallWindow([new UtcInterval(Opens, Opens.AddHours(2)), new UtcInterval(Opens.AddHours(1), Opens.AddHours(3))]) }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var refused = Assert.Throws<ProblemException>(() => _fixture.Director.Signer.Answer(request));

        Assert.Equal(DirectorTargetsSigner.RequestProblem, refused.Problems[0].Code);
        Assert.Equal(path, refused.Problems[0].Path);
        Assert.Null(_fixture.Director.Signer.Latest(DirectorFixture.DeviceId));
    }
}
