using System.Buffers.Binary;
using System.Text;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// Header ⇄ TLV bytes (docs/bundle-format.md#header-tlvs): each entry is tag u16 LE, length u32 LE,
/// value. Encoding is canonical (fixed tag order, each tag once) so the same header always gives
/// the same bytes and signature input. Decoding refuses duplicates, unknown critical tags, bad
/// lengths and anything past the limits before allocating for it.
/// </summary>
public static class BundleHeaderCodec
{
    private const int EntryPrefix = 6;

    public static byte[] Encode(BundleHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var errors = header.Validate();
        if (errors.Count > 0) throw new BundleFormatException(errors);
        using var buffer = new MemoryStream();
        void Put(BundleTag tag, ReadOnlySpan<byte> value)
        {
            Span<byte> prefix = stackalloc byte[EntryPrefix];
            BinaryPrimitives.WriteUInt16LittleEndian(prefix, (ushort)tag);
            BinaryPrimitives.WriteUInt32LittleEndian(prefix[2..], (uint)value.Length);
            buffer.Write(prefix);
            buffer.Write(value);
        }
        void PutText(BundleTag tag, string value) => Put(tag, Encoding.UTF8.GetBytes(value));
        void PutU64(BundleTag tag, ulong value) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, value); Put(tag, b); }
        void PutU32(BundleTag tag, uint value) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, value); Put(tag, b); }
        void PutU8(BundleTag tag, byte value) => Put(tag, [value]);
        void PutSha256(BundleTag tag, Digest value) { Span<byte> b = stackalloc byte[Digest.Sha256Size]; value.WriteTo(b); Put(tag, b); }

        PutText(BundleTag.ContainerName, header.ContainerName);
        PutText(BundleTag.ContainerVersion, header.ContainerVersion);
        PutU64(BundleTag.SecurityCounter, header.SecurityCounter);
        PutText(BundleTag.DeviceClass, header.DeviceClass);
        PutText(BundleTag.TargetTriple, header.TargetTriple);
        PutU8(BundleTag.ArtifactKind, (byte)header.ArtifactKind);
        // Only when non-zero: bundles from before the tag existed keep their exact bytes.
        if (header.ImageFormat != ImageFormat.RawArtifact) PutU8(BundleTag.ImageFormat, (byte)header.ImageFormat);
        PutSha256(BundleTag.TargetDigest, header.TargetDigest);
        PutU64(BundleTag.TargetSize, header.TargetSize);
        PutU8(BundleTag.PayloadKind, (byte)header.PayloadKind);
        PutU8(BundleTag.Codec, (byte)header.Codec);
        if (header.BaseDigest is { } baseDigest) PutSha256(BundleTag.BaseDigest, baseDigest);
        if (header.BaseSize is { } baseSize) PutU64(BundleTag.BaseSize, baseSize);
        PutU64(BundleTag.PayloadLength, header.PayloadLength);
        PutU32(BundleTag.ChunkSize, header.ChunkSize);
        var hashes = new byte[header.ChunkHashes.Count * BundleHeader.Sha256Bytes];
        for (var i = 0; i < header.ChunkHashes.Count; i++) header.ChunkHashes[i].CopyTo(hashes, i * BundleHeader.Sha256Bytes);
        Put(BundleTag.ChunkHashes, hashes);
        PutU64(BundleTag.ExpiresUnixSeconds, header.ExpiresUnixSeconds);
        if (header.CreatedUnixSeconds is { } created) PutU64(BundleTag.CreatedUnixSeconds, created);
        if (header.ProvenanceDigest is not null) PutText(BundleTag.ProvenanceDigest, header.ProvenanceDigest);
        if (header.SourceManifestDigest is not null) PutText(BundleTag.SourceManifestDigest, header.SourceManifestDigest);
        // Only on recovery bundles (format 2): every other header keeps its format-1 bytes.
        if (header.Recovery) PutU8(BundleTag.Recovery, 1);
        return buffer.ToArray();
    }

    public static BundleHeader Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > BundleLayout.MaxHeaderBytes)
            throw new BundleFormatException("header", $"header is {bytes.Length} bytes, limit {BundleLayout.MaxHeaderBytes}");
        var fields = new Dictionary<BundleTag, byte[]>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < EntryPrefix) throw new BundleFormatException("header", $"header entry at offset {offset} is truncated");
            var tag = BinaryPrimitives.ReadUInt16LittleEndian(bytes[offset..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(offset + 2)..]);
            offset += EntryPrefix;
            if (length > (uint)(bytes.Length - offset))
                throw new BundleFormatException("header", $"header entry 0x{tag:x4} claims {length} bytes, only {bytes.Length - offset} left");
            var value = bytes.Slice(offset, (int)length);
            offset += (int)length;
            if (!Enum.IsDefined((BundleTag)tag))
            {
                if (BundleTags.IsCritical(tag)) throw new BundleFormatException("header", $"unknown critical header tag 0x{tag:x4}");
                continue;
            }
            if (!fields.TryAdd((BundleTag)tag, value.ToArray()))
                throw new BundleFormatException("header", $"header tag {(BundleTag)tag} appears twice");
        }
        return Build(fields);
    }

    private static BundleHeader Build(Dictionary<BundleTag, byte[]> f)
    {
        var missing = new List<Problem>();
        byte[] Required(BundleTag tag)
        {
            if (f.TryGetValue(tag, out var v)) return v;
            missing.Add(new Problem(ReasonCodes.BundleMalformed, tag.ToString(), "required"));
            return [];
        }
        string Text(BundleTag tag)
        {
            var v = Required(tag);
            if (v.Length > BundleHeader.MaxTextBytes) throw new BundleFormatException(tag.ToString(), $"longer than {BundleHeader.MaxTextBytes} bytes");
            try { return new UTF8Encoding(false, true).GetString(v); }
            catch (DecoderFallbackException) { throw new BundleFormatException(tag.ToString(), "not valid UTF-8"); }
        }
        string? OptionalText(BundleTag tag) => f.ContainsKey(tag) ? Text(tag) : null;
        ulong U64(BundleTag tag) => Fixed(tag, Required(tag), 8) is { Length: 8 } b ? BinaryPrimitives.ReadUInt64LittleEndian(b) : 0;
        ulong? OptionalU64(BundleTag tag) => f.ContainsKey(tag) ? U64(tag) : null;
        uint U32(BundleTag tag) => Fixed(tag, Required(tag), 4) is { Length: 4 } b ? BinaryPrimitives.ReadUInt32LittleEndian(b) : 0;
        byte U8(BundleTag tag) => Fixed(tag, Required(tag), 1) is { Length: 1 } b ? b[0] : (byte)0;
        // Bytes that are not 32 long become the default (not-sha256) digest, which Validate reports with every other problem.
        Digest Sha256(byte[] value) => Digest.TryFromSha256(value, out var digest) ? digest : default;

        ImageFormat OptionalImageFormat() =>
            f.TryGetValue(BundleTag.ImageFormat, out var v) ? (ImageFormat)(Fixed(BundleTag.ImageFormat, v, 1) is [var b] ? b : throw new BundleFormatException(nameof(BundleTag.ImageFormat), "must be 1 byte, is 0")) : ImageFormat.RawArtifact;

        var hashesBytes = Required(BundleTag.ChunkHashes);
        if (hashesBytes.Length % BundleHeader.Sha256Bytes != 0)
            throw new BundleFormatException(nameof(BundleTag.ChunkHashes), $"{hashesBytes.Length} bytes is not a multiple of 32");
        var hashes = new byte[hashesBytes.Length / BundleHeader.Sha256Bytes][];
        for (var i = 0; i < hashes.Length; i++) hashes[i] = hashesBytes.AsSpan(i * 32, 32).ToArray();

        var header = new BundleHeader
        {
            ContainerName = Text(BundleTag.ContainerName),
            ContainerVersion = Text(BundleTag.ContainerVersion),
            SecurityCounter = U64(BundleTag.SecurityCounter),
            DeviceClass = Text(BundleTag.DeviceClass),
            TargetTriple = Text(BundleTag.TargetTriple),
            ArtifactKind = (ArtifactKind)U8(BundleTag.ArtifactKind),
            ImageFormat = OptionalImageFormat(),
            TargetDigest = Sha256(Required(BundleTag.TargetDigest)),
            TargetSize = U64(BundleTag.TargetSize),
            PayloadKind = (PayloadKind)U8(BundleTag.PayloadKind),
            Codec = (PayloadCodec)U8(BundleTag.Codec),
            BaseDigest = f.TryGetValue(BundleTag.BaseDigest, out var baseDigest) ? Sha256(baseDigest) : null,
            BaseSize = OptionalU64(BundleTag.BaseSize),
            PayloadLength = U64(BundleTag.PayloadLength),
            ChunkSize = U32(BundleTag.ChunkSize),
            ChunkHashes = hashes,
            ExpiresUnixSeconds = U64(BundleTag.ExpiresUnixSeconds),
            CreatedUnixSeconds = OptionalU64(BundleTag.CreatedUnixSeconds),
            ProvenanceDigest = OptionalText(BundleTag.ProvenanceDigest),
            SourceManifestDigest = OptionalText(BundleTag.SourceManifestDigest),
            Recovery = f.ContainsKey(BundleTag.Recovery),
        };
        var errors = missing.Concat(header.Validate()).Distinct().ToList();
        if (f.TryGetValue(BundleTag.ImageFormat, out var explicitFormat) && explicitFormat is [0])
            errors.Add(new Problem(ReasonCodes.BundleMalformed, nameof(BundleTag.ImageFormat), "0 (raw artifact) must be encoded by leaving the tag out"));
        if (f.TryGetValue(BundleTag.Recovery, out var recovery) && recovery is not [1])
            errors.Add(new Problem(ReasonCodes.BundleMalformed, nameof(BundleTag.Recovery), "must be the byte 1 (a bundle that is not for recovery leaves the tag out)"));
        if (errors.Count > 0) throw new BundleFormatException(errors);
        return header;

        static byte[] Fixed(BundleTag tag, byte[] value, int length) =>
            value.Length == 0 || value.Length == length ? value
                : throw new BundleFormatException(tag.ToString(), $"must be {length} bytes, is {value.Length}");
    }
}
