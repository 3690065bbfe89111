using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Formats;
using AtymSecure.Primitives;
using static AtymSecure.Bootloader.Tests.Support.TwoContainerDevice;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Bundle;

namespace AtymSecure.Bootloader.Tests.Install;

public sealed class InstallerTests
{
    private readonly TwoContainerDevice _d = new();

    [Fact]
    public void A_full_image_lands_in_slot_A_as_a_pending_trial_with_its_digest()
    {
        var slot = _d.Open().Install(Signer.Full(App, _d.V1, "1.0.0", 1), PreCheck);
        Assert.Equal(SlotId.A, slot);
        var bl = _d.Open();
        var r = bl.State(App);
        Assert.Equal(ContainerState.Pending, r.State);
        Assert.Equal(SlotId.A, r.TrialSlot);
        Assert.Equal(Digest.Compute(_d.V1), r.SlotA.Digest);
        Assert.False(r.SlotA.Verified); // the first trial boot hashes it in full
        Assert.Equal(3, r.AttemptsLeft);
        Assert.Equal(_d.V1, bl.OpenImage(App, SlotId.A).ReadAll());
    }

    [Fact]
    public void A_delta_is_applied_against_the_confirmed_slot_into_the_other_slot()
    {
        _d.InstallConfirmed(Signer.Full(App, _d.V1, "1.0.0", 1));
        var delta = Signer.Delta(App, _d.V1, _d.V2, "2.0.0", 2);
        Assert.True(delta.Payload.Length < _d.V2.Length / 4, $"delta of {delta.Payload.Length} bytes should be much smaller than the image");
        Assert.Equal(SlotId.B, _d.Open().Install(delta, PreCheck));
        Assert.Equal(_d.V2, _d.Open().OpenImage(App, SlotId.B).ReadAll());
        Assert.Equal(_d.V1, _d.Open().OpenImage(App, SlotId.A).ReadAll());
    }

    public static TheoryData<string> RefusalCases() =>
        ["untrusted-signer", "wrong-key", "tampered-payload", "bundle-expired", "wrong-class", "too-large", "unknown-container",
         "counter-rollback", "trial-running", "delta-base-mismatch", "delta-without-base", "empty-image"];

    [Theory]
    [MemberData(nameof(RefusalCases))]
    public void A_refused_install_leaves_flash_and_state_untouched(string reason)
    {
        var confirmedFirst = reason is not "delta-without-base";
        if (confirmedFirst) _d.InstallConfirmed(Signer.Full(App, _d.V1, "1.0.0", 5));
        if (reason == "trial-running")
        {
            _d.Open().Install(Signer.Full(App, _d.V2, "2.0.0", 6), PreCheck);
            _d.Open().Boot();
        }
        using var otherSigner = new TestImageSigner();
        IInstallImage image = reason switch
        {
            "untrusted-signer" => Signer.Full(App, _d.V2, "2.0.0", 6) with { Version = SemanticVersion.Release(9, 9, 9) },
            "wrong-key" => otherSigner.Full(App, _d.V2, "2.0.0", 6),
            "tampered-payload" => Signer.Full(App, _d.V2, "2.0.0", 6) with { Payload = _d.V1 },
            "bundle-expired" => Signer.Full(App, _d.V2, "2.0.0", 6, expires: TestImageSigner.Now.AddSeconds(-1)),
            "wrong-class" => Signer.Full(App, _d.V2, "2.0.0", 6, deviceClass: "esp32"),
            "too-large" => Signer.Full(App, TestImages.Random(16 * 1024 + 1, 9), "2.0.0", 6),
            "unknown-container" => Signer.Full("nope", _d.V2, "2.0.0", 6),
            "counter-rollback" => Signer.Full(App, _d.V2, "2.0.0", 4),
            "trial-running" => Signer.Full(App, _d.V2, "2.0.1", 7),
            "delta-base-mismatch" => Signer.Delta(App, _d.S1, _d.V2, "2.0.0", 6),
            "delta-without-base" => Signer.Delta(App, _d.V1, _d.V2, "2.0.0", 6),
            "empty-image" => Signer.Full(App, [], "2.0.0", 6),
            _ => throw new ArgumentOutOfRangeException(nameof(reason)),
        };
        var stateBefore = _d.Open().State(App); // (the first open of a fresh part formats the state log)
        var before = _d.Flash.Content.ToArray();
        var ops = _d.Flash.OperationCount;

        var e = Assert.Throws<InstallRefusedException>(() => _d.Open().Install(image, PreCheck));

        var expectedCode = reason switch
        {
            "wrong-key" or "tampered-payload" => ReasonCodes.UntrustedSigner,
            "empty-image" => ReasonCodes.BundleMalformed,
            _ => reason,
        };
        Assert.True(e.Has(expectedCode), $"expected {expectedCode}, got {e.Message}");
        Assert.Equal(ops, _d.Flash.OperationCount);
        Assert.True(_d.Flash.Content.SequenceEqual(before), "flash changed");
        Assert.Equal(stateBefore, _d.Open().State(App));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        _d.InstallConfirmed(Signer.Full(App, _d.V1, "1.0.0", 5));
        var image = Signer.Full(App, TestImages.Random(20_000, 4), "0.1.0", 1, deviceClass: "esp32", expires: TestImageSigner.Now.AddDays(-1)) with { Payload = _d.V1 };
        var e = Assert.Throws<InstallRefusedException>(() => _d.Open().Install(image, PreCheck));
        foreach (var code in new[] { ReasonCodes.UntrustedSigner, ReasonCodes.BundleExpired, ReasonCodes.WrongClass, ReasonCodes.TooLarge, ReasonCodes.CounterRollback })
            Assert.True(e.Has(code), $"{code} missing from: {e.Message}");
    }

    [Fact]
    public void An_equal_security_counter_is_allowed()
    {
        _d.InstallConfirmed(Signer.Full(App, _d.V1, "1.0.0", 5));
        Assert.Equal(SlotId.B, _d.Open().Install(Signer.Full(App, _d.V2, "1.0.1", 5), PreCheck));
    }

    [Fact]
    public void Writes_that_silently_fail_are_caught_by_the_read_back_hash_and_the_old_image_keeps_running()
    {
        _d.InstallConfirmed(Signer.Full(App, _d.V1, "1.0.0", 1));
        var slotB = _d.Open().Partitions.Slot(App, SlotId.B);
        _d.Flash.Arm(new FaultPlan { DroppedWriteProbability = 0.3, DroppedWriteRegion = (slotB.Offset, slotB.End), Seed = 1 });
        var e = Assert.Throws<InstallVerificationException>(() => _d.Open().Install(Signer.Full(App, _d.V2, "2.0.0", 2), PreCheck));
        Assert.Equal((ReasonCodes.ImageMismatch, "targetDigest"), (Assert.Single(e.Problems).Code, e.Problems[0].Path));
        _d.Flash.Arm(FaultPlan.None);

        var bl = _d.Open();
        Assert.Equal(ContainerState.Installing, bl.State(App).State);
        Assert.Equal(_d.V1, _d.Running(bl, App));
        // The agent retries on healthy flash and the update goes through.
        _d.Open().Install(Signer.Full(App, _d.V2, "2.0.0", 2), PreCheck);
        Assert.Equal(_d.V2, _d.Running(_d.Open(), App));
    }

    [Fact]
    public void A_producer_that_writes_more_than_declared_is_stopped_at_the_declared_size()
    {
        _d.InstallConfirmed(Signer.Full(App, _d.V1, "1.0.0", 1));
        var lying = new OverrunningImage(Signer.Full(App, _d.V2, "2.0.0", 2));
        var e = Assert.Throws<InstallVerificationException>(() => _d.Open().Install(lying, new AcceptAll()));
        Assert.Contains("past the declared size", e.Message);
        Assert.Equal((ReasonCodes.ImageMismatch, "targetSize"), (Assert.Single(e.Problems).Code, e.Problems[0].Path));
        Assert.Equal(_d.V1, _d.Running(_d.Open(), App));
    }

    [Fact]
    public void A_producer_that_writes_less_than_declared_is_refused()
    {
        var short_ = new TruncatingImage(Signer.Full(App, _d.V1, "1.0.0", 1));
        var e = Assert.Throws<InstallVerificationException>(() => _d.Open().Install(short_, new AcceptAll()));
        Assert.Equal((ReasonCodes.ImageMismatch, "targetSize"), (Assert.Single(e.Problems).Code, e.Problems[0].Path));
        Assert.Equal(AtymSecure.Bootloader.Boot.BootOutcome.NotInstalled, _d.Open().Boot()[App].Outcome);
    }

    private sealed class AcceptAll : IInstallPreCheck
    {
        public IReadOnlyList<Problem> Check(IInstallImage image, DateTimeOffset now) => [];
    }

    private class Wrapped(SignedTestImage inner) : IInstallImage
    {
        public string ContainerName => inner.ContainerName;
        public SemanticVersion Version => inner.Version;
        public uint SecurityCounter => inner.SecurityCounter;
        public string DeviceClass => inner.DeviceClass;
        public Digest TargetDigest => inner.TargetDigest;
        public long TargetSize => inner.TargetSize;
        public PayloadKind Kind => inner.Kind;
        public Digest? BaseDigest => inner.BaseDigest;
        public virtual void WriteTarget(ISlotReader? baseImage, Stream output) => inner.WriteTarget(baseImage, output);
    }

    private sealed class OverrunningImage(SignedTestImage inner) : Wrapped(inner)
    {
        public override void WriteTarget(ISlotReader? baseImage, Stream output)
        {
            base.WriteTarget(baseImage, output);
            output.Write(new byte[100]);
        }
    }

    private sealed class TruncatingImage(SignedTestImage inner) : Wrapped(inner)
    {
        public override void WriteTarget(ISlotReader? baseImage, Stream output)
        {
            var all = new MemoryStream();
            base.WriteTarget(baseImage, all);
            output.Write(all.ToArray().AsSpan(0, (int)all.Length - 10));
        }
    }
}
