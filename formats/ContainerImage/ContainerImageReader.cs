using System.Buffers.Binary;
using System.Security.Cryptography;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.ContainerImage;

/// <summary>
/// Reads and validates container image v1 bytes (docs/container-image-format.md#validation): preamble,
/// manifest, layout (alignment, bounds, order, zero padding, no trailing bytes), section hashes, blobs
/// against the config, grants ⊆ permissions, canonical manifest. Every problem is reported at once in a
/// <see cref="ContainerImageFormatException"/>. The caller checks the whole image's digest against the signed
/// bundle / slot record separately.
/// </summary>
public static class ContainerImageReader
{
    public static ContainerImage Read(ReadOnlyMemory<byte> image)
    {
        var problems = new List<Problem>();
        var manifestLength = ReadPreamble(image.Span, problems);
        if (manifestLength is not { } m) throw new ContainerImageFormatException(problems);

        var parsed = ContainerImageManifestParser.Parse(image.Slice(ContainerImageLayout.PreambleBytes, m), problems);
        if (parsed is null) throw new ContainerImageFormatException(problems);

        CheckLayout(image.Span, ContainerImageLayout.PreambleBytes + m, parsed, problems);
        CheckAgainstConfig(parsed, problems);
        if (problems.Count > 0) throw new ContainerImageFormatException(problems);

        var c = parsed.Code!;
        var code = new ContainerImageSection(c.Kind!.Value, c.DeviceClass, c.TargetTriple, c.Offset!.Value, c.Length!.Value, c.Sha256!);
        var blobs = parsed.Blobs!.Select(b => new ContainerImageBlob(b.Name!, b.Offset!.Value, b.Length!.Value, b.Sha256!)).ToList();
        // Canonical grants follow the config's permission order (all are permissions here, checked above).
        var grants = parsed.Config!.Permissions.Where(parsed.Grants!.Contains).ToList();
        var canonical = ContainerImageManifest.Serialize(parsed.ConfigJson!, grants, code, blobs);
        if (!canonical.AsSpan().SequenceEqual(image.Span.Slice(ContainerImageLayout.PreambleBytes, m)))
        {
            throw new ContainerImageFormatException([
                ContainerImageFormatException.At("manifest", "not in canonical form (keys sorted, no whitespace, grants in the config's permission order, config exactly as ContainerConfigJson.Serialize writes it)"),
            ]);
        }
        return new ContainerImage(parsed.Config!, grants, code, blobs);
    }

    /// <summary>The manifest length, or null when the rest cannot be read (problems recorded).</summary>
    private static int? ReadPreamble(ReadOnlySpan<byte> image, List<Problem> problems)
    {
        if (image.Length > ContainerImageLayout.MaxImageBytes)
        {
            problems.Add(ContainerImageFormatException.At("image", $"image is {image.Length} bytes, limit {ContainerImageLayout.MaxImageBytes}"));
            return null;
        }
        if (image.Length < ContainerImageLayout.PreambleBytes)
        {
            problems.Add(ContainerImageFormatException.At("image", $"image is {image.Length} bytes, shorter than the {ContainerImageLayout.PreambleBytes}-byte preamble"));
            return null;
        }
        if (!image[..8].SequenceEqual(ContainerImageLayout.Magic))
        {
            problems.Add(ContainerImageFormatException.At("magic", $"magic is {Convert.ToHexStringLower(image[..8])}, expected 'ATYMCIMG'"));
            return null;
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(image[8..]);
        if (version != ContainerImageLayout.FormatVersion)
        {
            problems.Add(ContainerImageFormatException.At("version", $"format version {version} is not supported (this reader knows {ContainerImageLayout.FormatVersion})"));
            return null;
        }
        var reserved = BinaryPrimitives.ReadUInt16LittleEndian(image[10..]);
        if (reserved != 0) problems.Add(ContainerImageFormatException.At("reserved", $"reserved field is {reserved}, must be 0"));
        var length = BinaryPrimitives.ReadUInt32LittleEndian(image[12..]);
        if (length < ContainerImageLayout.MinManifestBytes || length > ContainerImageLayout.MaxManifestBytes)
        {
            problems.Add(ContainerImageFormatException.At("manifestLength", $"manifest length {length} is outside {ContainerImageLayout.MinManifestBytes}..{ContainerImageLayout.MaxManifestBytes}"));
            return null;
        }
        if (length > image.Length - ContainerImageLayout.PreambleBytes)
        {
            problems.Add(ContainerImageFormatException.At("manifestLength", $"manifest length {length} runs past the end of the {image.Length}-byte image"));
            return null;
        }
        return (int)length; // a nonzero reserved field is reported, and the rest is still checked
    }

    /// <summary>
    /// Sections must sit exactly where the format puts them: code at the next multiple of 256 after the
    /// manifest, each blob at the next multiple of 64 after the previous section, the image ending with the
    /// last one, the gaps zero. Hashes are checked for every section that lies inside the image.
    /// </summary>
    private static void CheckLayout(ReadOnlySpan<byte> image, int manifestEnd, ParsedManifest parsed, List<Problem> problems)
    {
        long? end = manifestEnd;
        if (parsed.Code is { } code)
        {
            if (code.Length == 0) problems.Add(ContainerImageFormatException.At("manifest.code.length", "the code section is empty"));
            end = CheckSection(image, "manifest.code", end, ContainerImageLayout.CodeAlignment, code.Offset, code.Length, code.Sha256, problems);
        }
        else end = null;
        if (parsed.Blobs is { } blobs)
        {
            for (var i = 0; i < blobs.Count; i++)
                end = CheckSection(image, $"manifest.blobs[{i}]", end, ContainerImageLayout.BlobAlignment, blobs[i].Offset, blobs[i].Length, blobs[i].Sha256, problems);
        }
        else end = null;
        if (end is { } last && last < image.Length)
        {
            CheckZero(image, last, image.Length, problems, out var nonZero);
            problems.Add(ContainerImageFormatException.At("image", $"{image.Length - last} trailing bytes after the last section (at {last}){(nonZero ? ", not all zero" : "")}"));
        }
    }

    /// <summary>Checks one section after the previous one ended at <paramref name="previousEnd"/>; returns its end, or null when unknown.</summary>
    private static long? CheckSection(ReadOnlySpan<byte> image, string path, long? previousEnd, int alignment, long? offset, long? length, string? sha256, List<Problem> problems)
    {
        if (offset is not { } o || length is not { } n) return null;
        if (previousEnd is { } prev)
        {
            var expected = ContainerImageLayout.Align(prev, alignment);
            if (o < prev) problems.Add(ContainerImageFormatException.At($"{path}.offset", $"{o} overlaps the previous part of the image (which ends at {prev})"));
            else if (o != expected) problems.Add(ContainerImageFormatException.At($"{path}.offset", $"{o} is not where the format puts it ({expected}, the next multiple of {alignment} after {prev})"));
            else if (o <= image.Length) CheckZero(image, prev, o, problems, out _);
        }
        if (o + n > image.Length)
        {
            problems.Add(ContainerImageFormatException.At($"{path}", $"{o}+{n} runs past the end of the {image.Length}-byte image"));
            return null;
        }
        if (sha256 is not null)
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(image.Slice((int)o, (int)n)));
            if (actual != sha256) problems.Add(ContainerImageFormatException.At($"{path}.sha256", $"the section hashes to {actual}, the manifest says {sha256}"));
        }
        return o + n;
    }

    private static void CheckZero(ReadOnlySpan<byte> image, long from, long to, List<Problem> problems, out bool nonZero)
    {
        nonZero = from < to && image[(int)from..(int)to].ContainsAnyExcept((byte)0);
        if (nonZero && to != image.Length) problems.Add(ContainerImageFormatException.At("padding", $"padding at {from}..{to} is not zero"));
    }

    private static void CheckAgainstConfig(ParsedManifest parsed, List<Problem> problems)
    {
        if (parsed.Config is not { } config) return;
        if (parsed.Blobs is { } blobs)
        {
            var declared = config.Blobs;
            for (var i = 0; i < Math.Max(blobs.Count, declared.Count); i++)
            {
                var path = $"manifest.blobs[{i}]";
                if (i >= blobs.Count) { problems.Add(ContainerImageFormatException.At("manifest.blobs", $"config blob '{declared[i].Name}' has no section")); continue; }
                var b = blobs[i];
                if (i >= declared.Count) { problems.Add(ContainerImageFormatException.At($"{path}", $"blob '{b.Name}' is not declared in config.blobs")); continue; }
                var d = declared[i];
                if (b.Name is not null && b.Name != d.Name)
                {
                    problems.Add(ContainerImageFormatException.At($"{path}.name", $"'{b.Name}' but config.blobs[{i}] is '{d.Name}' (sections follow config.blobs order)"));
                    continue;
                }
                if (b.Sha256 is not null && "sha256:" + b.Sha256 != d.Digest)
                    problems.Add(ContainerImageFormatException.At($"{path}.sha256", $"{b.Sha256} but config.blobs[{i}].digest is {d.Digest}"));
                if (b.Length is { } n && n != d.Size)
                    problems.Add(ContainerImageFormatException.At($"{path}.length", $"{n} but config.blobs[{i}].size is {d.Size}"));
            }
        }
        if (parsed.Grants is { } grants)
        {
            for (var i = 0; i < grants.Count; i++)
            {
                if (!config.Permissions.Contains(grants[i]))
                    problems.Add(ContainerImageFormatException.At($"manifest.grants[{i}]", $"'{grants[i]}' is not in config.permissions (a deployment may grant less than the container asks, never more)"));
            }
        }
    }
}
