using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.ContainerImage;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.ContainerImage;

public class ContainerImageBundleBindingTests
{
    private static readonly byte[] Bytes = TestImages.Valid();
    private static readonly Formats.ContainerImage.ContainerImage Image = ContainerImageReader.Read(Bytes);

    private static BundleHeader Header(Func<BundleHeader, BundleHeader>? tweak = null)
    {
        var h = new BundleHeader
        {
            ContainerName = "anomaly-detector", ContainerVersion = "1.0.0", SecurityCounter = 1,
            DeviceClass = "linux-x86_64", TargetTriple = "x86_64-unknown-linux-gnu", ArtifactKind = ArtifactKind.WasmtimeNative,
            ImageFormat = ImageFormat.ContainerImageV1, TargetDigest = Digest.Compute(Bytes), TargetSize = (ulong)Bytes.Length,
            PayloadKind = PayloadKind.Full, Codec = PayloadCodec.None, PayloadLength = (ulong)Bytes.Length,
            ChunkSize = 4096, ChunkHashes = BundleFrame.HashChunks(Bytes, 4096), ExpiresUnixSeconds = 4_000_000_000,
        };
        return tweak?.Invoke(h) ?? h;
    }

    [Fact]
    public void Matching_header_binds_the_image()
    {
        Assert.Empty(ContainerImageBundleBinding.Check(Image, Bytes, Header()));
        ContainerImageBundleBinding.Ensure(Image, Bytes, Header());
    }

    [Fact]
    public void Every_disagreement_is_reported()
    {
        var header = Header(h => h with
        {
            ImageFormat = ImageFormat.RawArtifact, TargetDigest = Digest.FromSha256(new byte[32]), TargetSize = 5, ContainerName = "other", ContainerVersion = "2.0.0",
            ArtifactKind = ArtifactKind.WasmtimePulley, TargetTriple = "pulley64", DeviceClass = "portable-pulley64",
        });
        var problems = Assert.Throws<ContainerImageFormatException>(() => ContainerImageBundleBinding.Ensure(Image, Bytes, header)).Problems;
        Assert.Equal(
        [
            "header.imageFormat: ImageFormat is RawArtifact, not ContainerImageV1",
            "header.targetDigest: TargetDigest is not the SHA-256 of this image",
            $"header.targetSize: TargetSize is 5, the image is {Bytes.Length} bytes",
            "header.containerName: ContainerName 'other' but the image's config is 'anomaly-detector'",
            "header.containerVersion: ContainerVersion '2.0.0' but the image's config is '1.0.0'",
            "header.artifactKind: ArtifactKind WasmtimePulley but the image's code is WasmtimeNative",
            "header.targetTriple: TargetTriple 'pulley64' but the image's code is for 'x86_64-unknown-linux-gnu'",
            "header.deviceClass: DeviceClass 'portable-pulley64' but the image's code is for 'linux-x86_64'",
        ], problems.Select(p => p.ToString()));
        Assert.All(problems, p => Assert.Equal(ReasonCodes.ImageMalformed, p.Code));
    }
}
