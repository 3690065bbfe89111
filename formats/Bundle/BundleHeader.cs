using System.Text.RegularExpressions;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// The signed header of a bundle: everything a device must know before writing one byte.
/// Spec: docs/bundle-format.md. Immutable; <see cref="Validate"/> reports every problem at once.
/// </summary>
public sealed partial record BundleHeader
{
    public const int Sha256Bytes = 32;
    public const int MinChunkSize = 512;
    public const int MaxChunkSize = 1 << 20;
    public const int MaxChunks = 1 << 16;
    public const int MaxTextBytes = 256;

    public required string ContainerName { get; init; }
    public required string ContainerVersion { get; init; }
    public required ulong SecurityCounter { get; init; }
    public required string DeviceClass { get; init; }
    public required string TargetTriple { get; init; }
    public required ArtifactKind ArtifactKind { get; init; }
    /// <summary>Raw artifact unless the target image is a container image (then ArtifactKind/TargetTriple describe its code).</summary>
    public ImageFormat ImageFormat { get; init; } = ImageFormat.RawArtifact;
    /// <summary>SHA-256 of the image as it must end up in the slot (32 raw bytes on the wire).</summary>
    public required Digest TargetDigest { get; init; }
    public required ulong TargetSize { get; init; }
    public required PayloadKind PayloadKind { get; init; }
    public required PayloadCodec Codec { get; init; }
    /// <summary>For a delta: SHA-256 of the image it applies to (32 raw bytes on the wire).</summary>
    public Digest? BaseDigest { get; init; }
    public ulong? BaseSize { get; init; }
    public required ulong PayloadLength { get; init; }
    public required uint ChunkSize { get; init; }
    /// <summary>SHA-256 of each payload chunk, in order; the last chunk may be short.</summary>
    public required IReadOnlyList<byte[]> ChunkHashes { get; init; }
    public required ulong ExpiresUnixSeconds { get; init; }
    public ulong? CreatedUnixSeconds { get; init; }
    /// <summary>OCI digest (<c>sha256:…</c>) of the provenance attestation of the target image.</summary>
    public string? ProvenanceDigest { get; init; }
    /// <summary>OCI digest of the container manifest the target was built from.</summary>
    public string? SourceManifestDigest { get; init; }

    /// <summary>
    /// A recovery bundle (docs/trust-model.md §4): the one install a device in recovery accepts, and it counts only under
    /// a recovery key (§3 step 13). Carried by the Recovery tag, which exists from format 2 on (<see cref="FormatVersion"/>).
    /// </summary>
    public bool Recovery { get; init; }

    /// <summary>
    /// The frame version this header is written in: 1 unless it uses a field of format 2 (<see cref="Recovery"/>). So
    /// every bundle that could be written before keeps its exact bytes, and a reader of format 1 only refuses the
    /// bundles it could not honour (its unknown-critical-tag rule would refuse the Recovery tag anyway).
    /// </summary>
    public ushort FormatVersion => Recovery ? BundleLayout.RecoveryFormatVersion : BundleLayout.FirstFormatVersion;

    public DateTimeOffset Expires => DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(ExpiresUnixSeconds, (ulong)long.MaxValue / 1000));

    public int ChunkCount => ChunkHashes.Count;

    /// <summary>Byte length of chunk <paramref name="index"/> (the last one may be short).</summary>
    public int ChunkLength(int index)
    {
        var start = (ulong)index * ChunkSize;
        return (int)Math.Min(ChunkSize, PayloadLength - start);
    }

    public static int ExpectedChunkCount(ulong payloadLength, uint chunkSize) =>
        chunkSize == 0 ? 0 : (int)Math.Min(int.MaxValue, (payloadLength + chunkSize - 1) / chunkSize);

    /// <summary>By value: chunk hashes and every other field (records would compare the arrays by reference).</summary>
    public bool Equals(BundleHeader? other) =>
        other is not null
        && ContainerName == other.ContainerName && ContainerVersion == other.ContainerVersion && SecurityCounter == other.SecurityCounter
        && DeviceClass == other.DeviceClass && TargetTriple == other.TargetTriple && ArtifactKind == other.ArtifactKind
        && ImageFormat == other.ImageFormat && TargetDigest == other.TargetDigest && TargetSize == other.TargetSize
        && PayloadKind == other.PayloadKind && Codec == other.Codec && BaseDigest == other.BaseDigest && BaseSize == other.BaseSize
        && PayloadLength == other.PayloadLength && ChunkSize == other.ChunkSize
        && ValueEquality.Lists(ChunkHashes, other.ChunkHashes, ValueEquality.ByteArrays)
        && ExpiresUnixSeconds == other.ExpiresUnixSeconds && CreatedUnixSeconds == other.CreatedUnixSeconds
        && ProvenanceDigest == other.ProvenanceDigest && SourceManifestDigest == other.SourceManifestDigest && Recovery == other.Recovery;

    public override int GetHashCode() =>
        HashCode.Combine(ContainerName, ContainerVersion, SecurityCounter, DeviceClass, TargetDigest, TargetSize, PayloadLength, HashCode.Combine(ExpiresUnixSeconds, Recovery));


    /// <summary>Untrusted text in a message: at most 80 characters of it.</summary>
    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    /// <summary>Every problem at once, each with code <see cref="ReasonCodes.BundleMalformed"/> and the field at fault as path.</summary>
    public IReadOnlyList<Problem> Validate()
    {
        var errors = new List<Problem>();
        void Add(string field, string message) => errors.Add(new Problem(ReasonCodes.BundleMalformed, field, message));
        void Text(string field, string? value, bool required = true)
        {
            if (value is null) { if (required) Add(field, "required"); return; }
            if (value.Length == 0) Add(field, "empty");
            if (System.Text.Encoding.UTF8.GetByteCount(value) > MaxTextBytes) Add(field, $"longer than {MaxTextBytes} bytes");
        }
        if (ContainerName is null) Add("containerName", "required");
        else if (Container.ContainerName.Check(ContainerName, "containerName") is { } name) Add("containerName", name.Message);
        if (ContainerVersion is null) Add("containerVersion", "required");
        else if (!SemanticVersion.TryParse(ContainerVersion, out _, out var versionError))
            Add("containerVersion", $"'{Shorten(ContainerVersion)}' is not a SemVer 2.0.0 version of at most {SemanticVersion.MaxLength} characters: {versionError}");
        Text("deviceClass", DeviceClass);
        Text("targetTriple", TargetTriple);
        if (!Enum.IsDefined(ArtifactKind)) Add("artifactKind", $"unknown value {(byte)ArtifactKind}");
        if (!Enum.IsDefined(ImageFormat)) Add("imageFormat", $"unknown value {(byte)ImageFormat}");
        else if (ImageFormat == ImageFormat.ContainerImageV1 && ArtifactKind == ArtifactKind.Wasm2cObject)
            Add("imageFormat", "a container image cannot hold a wasm2c object (MCU code is linked into firmware; use a raw artifact)");
        if (!Enum.IsDefined(PayloadKind)) Add("payloadKind", $"unknown value {(byte)PayloadKind}");
        if (!Enum.IsDefined(Codec)) Add("codec", $"unknown value {(byte)Codec}");
        if (!TargetDigest.IsSha256) Add("targetDigest", "must be 32 bytes (SHA-256)");
        if (TargetSize == 0) Add("targetSize", "must be positive");
        switch (PayloadKind)
        {
            case PayloadKind.Full:
                if (BaseDigest is not null || BaseSize is not null) Add("baseDigest/baseSize", "only allowed for a delta payload");
                if (Codec is not (PayloadCodec.None or PayloadCodec.Zstd)) Add("codec", $"{Codec} is not a full-payload codec");
                if (Codec == PayloadCodec.None && PayloadLength != TargetSize) Add("payloadLength", "must equal targetSize for an uncompressed full payload");
                break;
            case PayloadKind.Delta:
                if (BaseDigest is not { IsSha256: true }) Add("baseDigest", "a delta needs the 32-byte SHA-256 of its base");
                if (BaseSize is null or 0) Add("baseSize", "a delta needs the size of its base");
                if (Codec is not (PayloadCodec.ZstdPrefix or PayloadCodec.SeqDiff)) Add("codec", $"{Codec} is not a delta codec");
                break;
        }
        if (ChunkSize < MinChunkSize || ChunkSize > MaxChunkSize || (ChunkSize & (ChunkSize - 1)) != 0)
            Add("chunkSize", $"must be a power of two between {MinChunkSize} and {MaxChunkSize}");
        if (PayloadLength == 0) Add("payloadLength", "must be positive");
        if (ChunkHashes is null) Add("chunkHashes", "required");
        else
        {
            if (ChunkSize > 0 && ChunkHashes.Count != ExpectedChunkCount(PayloadLength, ChunkSize))
                Add("chunkHashes", $"{ChunkHashes.Count} hashes for {ExpectedChunkCount(PayloadLength, ChunkSize)} chunks");
            if (ChunkHashes.Count > MaxChunks) Add("chunkHashes", $"more than {MaxChunks} chunks");
            for (var i = 0; i < ChunkHashes.Count; i++)
                if (ChunkHashes[i] is null || ChunkHashes[i].Length != Sha256Bytes) Add($"chunkHashes[{i}]", "must be 32 bytes");
        }
        if (ExpiresUnixSeconds == 0) Add("expires", "required");
        if (CreatedUnixSeconds is { } created && created > ExpiresUnixSeconds) Add("created", "after expires");
        if (ProvenanceDigest is not null && !Digest.IsSha256Text(ProvenanceDigest)) Add("provenanceDigest", "must be sha256:<64 hex>");
        if (SourceManifestDigest is not null && !Digest.IsSha256Text(SourceManifestDigest)) Add("sourceManifestDigest", "must be sha256:<64 hex>");
        return errors;
    }
}
