using AtymSecure.Formats.Delta;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Delivery.Delta;

namespace AtymSecure.Delivery.Tests.Delta;

public class DeltaChooserTests
{
    private static readonly DeviceClass Mcu = new("mcu-cortex-m4", Isa.ArmV7EM, "thumbv7em-none-eabi", 32, true, AotBackEndKind.Wasm2c);
    private static readonly DeviceClass Linux = new("linux-x86_64", Isa.X86_64, "x86_64-unknown-linux-gnu", 64, false, AotBackEndKind.WasmtimeCranelift);

    private static (byte[] Old, byte[] New) SmallChange()
    {
        var old = Enumerable.Range(0, 100_000).Select(i => (byte)((i * 7) ^ (i >> 5))).ToArray();
        var @new = (byte[])old.Clone();
        @new[5000] ^= 1;
        @new[70_000] ^= 2;
        return (old, @new);
    }

    [Fact]
    public void Microcontrollers_only_get_the_fixed_ram_codec()
    {
        var (old, @new) = SmallChange();
        var choice = DeltaChooser.Choose(old, @new, Mcu);
        Assert.Equal(DeltaPayloadKind.Delta, choice.Kind);
        Assert.All(choice.Candidates, c => Assert.Equal(DeltaCodec.SeqDiff, c.Codec));
        Assert.Equal(@new, DeltaPatchApplier.Apply(choice.Patch!, old));
    }

    [Fact]
    public void Linux_devices_get_the_smallest_verified_candidate()
    {
        var (old, @new) = SmallChange();
        var choice = DeltaChooser.Choose(old, @new, Linux);
        Assert.Equal(2, choice.Candidates.Count);
        Assert.All(choice.Candidates, c => Assert.True(c.Verified, c.Failure));
        Assert.Equal(choice.Candidates.Min(c => c.Patch.Length), choice.Patch!.Length);
        Assert.Equal(@new, DeltaPatchApplier.Apply(choice.Patch!, old));
    }

    [Fact]
    public void Full_payload_wins_when_no_delta_is_smaller()
    {
        var old = new byte[4096];
        var @new = new byte[4096];
        new Random(1).NextBytes(old);
        new Random(2).NextBytes(@new);
        var choice = DeltaChooser.Choose(old, @new, Linux);
        Assert.Equal(DeltaPayloadKind.Full, choice.Kind);
        Assert.Null(choice.Patch);
        Assert.NotEmpty(choice.Candidates);
    }

    [Fact]
    public void A_full_payload_smaller_than_the_image_is_respected()
    {
        var (old, @new) = SmallChange();
        var choice = DeltaChooser.Choose(old, @new, Mcu, fullPayloadLength: 10);
        Assert.Equal(DeltaPayloadKind.Full, choice.Kind);
    }

    [Fact]
    public void Verify_reports_a_patch_that_does_not_rebuild_the_image()
    {
        var (old, @new) = SmallChange();
        var patch = SeqDiffEncoder.Encode(old, @new);
        var other = (byte[])@new.Clone();
        other[1] ^= 1;
        Assert.Null(DeltaChooser.Verify(patch, old, @new));
        Assert.NotNull(DeltaChooser.Verify(patch, old, other));
        Assert.Contains("decoding failed", DeltaChooser.Verify(patch, other, @new), StringComparison.Ordinal);
    }
}
