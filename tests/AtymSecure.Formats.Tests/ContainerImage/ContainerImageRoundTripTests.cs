using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.ContainerImage;

namespace AtymSecure.Formats.Tests.ContainerImage;

public class ContainerImageRoundTripTests
{
    [Fact]
    public void Written_image_reads_back_with_config_grants_code_and_blobs()
    {
        var bytes = TestImages.Valid();
        var image = ContainerImageReader.Read(bytes);

        Assert.Equal(TestImages.DefaultConfig.Name, image.Config.Name);
        Assert.Equal(TestImages.DefaultConfig, image.Config);
        Assert.Equal(["log", "sensor:vib0", "blob:model", "blob:labels"], image.Grants.Select(g => g.ToString()));
        Assert.True(image.IsGranted(Capability.Parse("blob:model")));
        Assert.False(image.IsGranted(Capability.Parse("publish:alerts/anomaly")));
        Assert.Equal(ArtifactKind.WasmtimeNative, image.Code.Kind);
        Assert.Equal("linux-x86_64", image.Code.DeviceClass);
        Assert.Equal("x86_64-unknown-linux-gnu", image.Code.TargetTriple);
        Assert.Equal(TestImages.Code, image.SliceCode(bytes).ToArray());
        Assert.Equal(TestImages.Model, image.SliceBlob(bytes, "model").ToArray());
        Assert.Equal(TestImages.Labels, image.SliceBlob(bytes, "labels").ToArray());
        Assert.Equal(["model", "labels"], image.Blobs.Select(b => b.Name));
        Assert.Equal(TestImages.Digest(TestImages.Model), image.FindBlob("model")!.Digest);
        Assert.Throws<KeyNotFoundException>(() => image.SliceBlob(bytes, "nope"));
    }

    [Fact]
    public void Images_read_twice_are_equal_by_value()
    {
        var bytes = TestImages.Valid();
        var a = ContainerImageReader.Read(bytes);
        var b = ContainerImageReader.Read(bytes);
        Assert.NotSame(a.Grants, b.Grants);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        var other = new AtymSecure.Formats.ContainerImage.ContainerImage(a.Config with { Name = "other" }, [], a.Code with { Offset = 0 }, []);
        Assert.Empty(AtymSecure.TestSupport.ValueEqualityProbe.PropertiesIgnoredByEquals(a, other));
    }

    [Fact]
    public void Layout_follows_the_alignment_rules_and_ends_with_the_last_blob()
    {
        var bytes = TestImages.Valid();
        var image = ContainerImageReader.Read(bytes);
        var manifestEnd = 16 + TestImages.ManifestLength(bytes);
        Assert.Equal(ContainerImageLayout.Align(manifestEnd, 256), image.Code.Offset);
        Assert.Equal(0, image.Code.Offset % 256);
        Assert.Equal(ContainerImageLayout.Align(image.Code.Offset + image.Code.Length, 64), image.Blobs[0].Offset);
        Assert.Equal(ContainerImageLayout.Align(image.Blobs[0].Offset + image.Blobs[0].Length, 64), image.Blobs[1].Offset);
        Assert.Equal(bytes.Length, image.Blobs[1].Offset + image.Blobs[1].Length);
        Assert.Equal("ATYMCIMG"u8.ToArray(), bytes[..8]);
        Assert.Equal([1, 0, 0, 0], bytes[8..12]);
    }

    [Fact]
    public void Writing_is_deterministic_whatever_the_order_of_grants_and_blobs()
    {
        var config = TestImages.DefaultConfig;
        var a = ContainerImageWriter.Write(config, config.Permissions, ArtifactKind.Wasm, null, null, TestImages.Code, TestImages.DefaultBlobs());
        var reversedBlobs = TestImages.DefaultBlobs().Reverse().ToDictionary(p => p.Key, p => p.Value);
        var b = ContainerImageWriter.Write(config, config.Permissions.Reverse().Concat(config.Permissions), ArtifactKind.Wasm, null, null, TestImages.Code, reversedBlobs);
        Assert.Equal(a, b);
        Assert.Equal(a, ContainerImageWriter.Write(config, config.Permissions, ArtifactKind.Wasm, null, null, TestImages.Code, TestImages.DefaultBlobs()));
    }

    [Fact]
    public void Image_without_blobs_or_grants_ends_with_the_code()
    {
        var config = TestImages.Config();
        var bytes = ContainerImageWriter.Write(config, [], ArtifactKind.WasmtimePulley, "portable-pulley64", "pulley64", TestImages.Code, new Dictionary<string, ReadOnlyMemory<byte>>());
        var image = ContainerImageReader.Read(bytes);
        Assert.Empty(image.Grants);
        Assert.Empty(image.Blobs);
        Assert.Equal(bytes.Length, image.Code.Offset + image.Code.Length);
        Assert.Equal(TestImages.Code, image.SliceCode(bytes).ToArray());
    }

    [Fact]
    public void Small_config_edit_keeps_the_code_at_the_same_offset()
    {
        var before = TestImages.Valid();
        var config = TestImages.DefaultConfig with { Description = "a little longer now" };
        var after = ContainerImageWriter.Write(config, config.Permissions, ArtifactKind.WasmtimeNative, "linux-x86_64",
            "x86_64-unknown-linux-gnu", TestImages.Code, TestImages.DefaultBlobs());
        Assert.Equal(ContainerImageReader.Read(before).Code.Offset, ContainerImageReader.Read(after).Code.Offset);
    }

    [Fact]
    public void Writer_refuses_wasm2c_objects() =>
        Assert.Contains("wasm2c objects are linked into MCU firmware", Assert.Throws<ArgumentException>(() =>
            ContainerImageWriter.Write(TestImages.DefaultConfig, [], ArtifactKind.Wasm2cObject, "mcu-cortex-m4", "thumbv7em-none-eabi",
                TestImages.Code, TestImages.DefaultBlobs())).Message, StringComparison.Ordinal);

    [Fact]
    public void Writer_refuses_a_grant_the_config_does_not_ask_for() =>
        Assert.Contains("grant 'gpio:17' is not among the config's permissions", Assert.Throws<ArgumentException>(() =>
            ContainerImageWriter.Write(TestImages.DefaultConfig, [Capability.Log, Capability.Parse("gpio:17")], ArtifactKind.Wasm, null, null,
                TestImages.Code, TestImages.DefaultBlobs())).Message, StringComparison.Ordinal);

    [Fact]
    public void Writer_reports_every_blob_problem_at_once()
    {
        var blobs = new Dictionary<string, ReadOnlyMemory<byte>> { ["model"] = TestImages.Bytes(300, 99), ["extra"] = new byte[3] };
        var message = Assert.Throws<ArgumentException>(() => ContainerImageWriter.Write(TestImages.DefaultConfig, [], ArtifactKind.Wasm, null, null,
            TestImages.Code, blobs)).Message;
        Assert.Contains("blob 'labels' is declared in the config but not supplied", message, StringComparison.Ordinal);
        Assert.Contains($"blob 'model' has digest {TestImages.Digest(TestImages.Bytes(300, 99))}, the config says {TestImages.Digest(TestImages.Model)}", message, StringComparison.Ordinal);
        Assert.Contains("blob 'extra' is supplied but not declared", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_refuses_a_blob_of_the_wrong_size()
    {
        var config = TestImages.DefaultConfig with { Blobs = [TestImages.DefaultConfig.Blobs[0] with { Size = 301 }, TestImages.DefaultConfig.Blobs[1]] };
        Assert.Contains("blob 'model' is 300 bytes, the config says 301", Assert.Throws<ArgumentException>(() =>
            ContainerImageWriter.Write(config, [], ArtifactKind.Wasm, null, null, TestImages.Code, TestImages.DefaultBlobs())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_refuses_an_image_above_64_MiB()
    {
        var code = new byte[ContainerImageLayout.MaxImageBytes];
        var message = Assert.Throws<ArgumentException>(() => ContainerImageWriter.Write(TestImages.DefaultConfig, [], ArtifactKind.Wasm, null, null,
            code, TestImages.DefaultBlobs())).Message;
        Assert.Contains("limit 67108864", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_refuses_empty_code_unknown_class_and_invalid_config()
    {
        var config = TestImages.DefaultConfig with { Name = "Bad Name" };
        var message = Assert.Throws<ArgumentException>(() =>
            ContainerImageWriter.Write(config, [], ArtifactKind.Wasm, "toaster", "", [], TestImages.DefaultBlobs())).Message;
        Assert.Contains("code is empty", message, StringComparison.Ordinal);
        Assert.Contains("device class 'toaster' is unknown", message, StringComparison.Ordinal);
        Assert.Contains("target triple is empty", message, StringComparison.Ordinal);
        Assert.Contains("config $.name:", message, StringComparison.Ordinal);
    }
}
