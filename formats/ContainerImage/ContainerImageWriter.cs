using AtymSecure.Primitives;
using System.Security.Cryptography;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceClasses;

namespace AtymSecure.Formats.ContainerImage;

/// <summary>
/// Builds container image v1 bytes (docs/container-image-format.md). Deterministic: the same inputs give the
/// same bytes, whatever the order of <c>grants</c> (written in config-permission order, duplicates folded)
/// and of the <c>blobs</c> dictionary (written in config.blobs order).
/// </summary>
public static class ContainerImageWriter
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> listing every problem: invalid config, a wasm2c object, a grant
    /// the config does not ask for, a config blob not supplied or not matching its digest/size, an extra blob,
    /// an image above the limits.
    /// </summary>
    public static byte[] Write(
        ContainerConfig config,
        IEnumerable<Capability> grants,
        ArtifactKind kind,
        string? deviceClass,
        string? targetTriple,
        ReadOnlySpan<byte> code,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>> blobs)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(grants);
        ArgumentNullException.ThrowIfNull(blobs);
        var problems = new List<string>();
        problems.AddRange(ContainerConfigValidator.Validate(config).Select(e => $"config {e.Path}: {e.Message}"));
        var grantSet = grants.ToHashSet();
        foreach (var g in grantSet.Where(g => !config.Permissions.Contains(g)).Select(g => g.ToString()).Order(StringComparer.Ordinal))
            problems.Add($"grant '{g}' is not among the config's permissions (a deployment may grant less than the container asks, never more)");
        if (ContainerImageLayout.KindName(kind) is null)
            problems.Add($"code kind {kind} is not allowed in a container image (wasm2c objects are linked into MCU firmware; use the raw-artifact bundle)");
        if (deviceClass is not null && !DeviceClassTable.TryGet(deviceClass, out _))
            problems.Add($"device class '{deviceClass}' is unknown (known: {string.Join(", ", DeviceClassTable.Names)})");
        CheckText(problems, "device class", deviceClass);
        CheckText(problems, "target triple", targetTriple);
        if (code.IsEmpty) problems.Add("code is empty");
        var blobShas = CheckBlobs(config, blobs, problems);
        if (problems.Count > 0) throw new ArgumentException("cannot write container image: " + string.Join("; ", problems));

        var configJson = ContainerConfigJson.Serialize(config);
        var orderedGrants = config.Permissions.Where(grantSet.Contains).ToList();
        var codeSha = Convert.ToHexStringLower(SHA256.HashData(code));

        // Offsets are written inside the manifest, whose length decides the offsets: iterate from the smallest
        // offsets up. Both only grow, so this reaches the least fixed point in a few rounds.
        byte[] manifest = [];
        ContainerImageSection section = new(kind, deviceClass, targetTriple, 0, code.Length, codeSha);
        List<ContainerImageBlob> placed = [];
        for (var round = 0; ; round++)
        {
            var codeOffset = ContainerImageLayout.Align(ContainerImageLayout.PreambleBytes + manifest.Length, ContainerImageLayout.CodeAlignment);
            var nextSection = section with { Offset = codeOffset };
            var nextBlobs = new List<ContainerImageBlob>();
            var end = codeOffset + code.Length;
            for (var i = 0; i < config.Blobs.Count; i++)
            {
                var offset = ContainerImageLayout.Align(end, ContainerImageLayout.BlobAlignment);
                var length = blobs[config.Blobs[i].Name].Length;
                nextBlobs.Add(new ContainerImageBlob(config.Blobs[i].Name, offset, length, blobShas[config.Blobs[i].Name]));
                end = offset + length;
            }
            var nextManifest = ContainerImageManifest.Serialize(configJson, orderedGrants, nextSection, nextBlobs);
            if (round > 0 && nextManifest.AsSpan().SequenceEqual(manifest))
            {
                section = nextSection;
                placed = nextBlobs;
                break;
            }
            if (round > 16) throw new InvalidOperationException("container image layout did not settle (bug)");
            manifest = nextManifest;
        }

        if (manifest.Length > ContainerImageLayout.MaxManifestBytes)
            throw new ArgumentException($"cannot write container image: manifest is {manifest.Length} bytes, limit {ContainerImageLayout.MaxManifestBytes}");
        var total = placed.Count > 0 ? placed[^1].Offset + placed[^1].Length : section.Offset + section.Length;
        if (total > ContainerImageLayout.MaxImageBytes)
            throw new ArgumentException($"cannot write container image: it would be {total} bytes, limit {ContainerImageLayout.MaxImageBytes}");

        var image = new byte[total];
        ContainerImageLayout.Magic.CopyTo(image);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(8), ContainerImageLayout.FormatVersion);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(12), (uint)manifest.Length);
        manifest.CopyTo(image, ContainerImageLayout.PreambleBytes);
        code.CopyTo(image.AsSpan((int)section.Offset));
        foreach (var b in placed) blobs[b.Name].Span.CopyTo(image.AsSpan((int)b.Offset));
        return image;
    }

    private static void CheckText(List<string> problems, string what, string? value)
    {
        if (value is null) return;
        if (value.Length == 0) problems.Add($"{what} is empty (pass null when there is none)");
        else if (System.Text.Encoding.UTF8.GetByteCount(value) > ContainerImageLayout.MaxTextBytes)
            problems.Add($"{what} is longer than {ContainerImageLayout.MaxTextBytes} bytes");
    }

    /// <summary>Records every blob problem; returns the hex SHA-256 of each supplied declared blob (hashed once, reused for the manifest).</summary>
    private static Dictionary<string, string> CheckBlobs(ContainerConfig config, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> blobs, List<string> problems)
    {
        var shas = new Dictionary<string, string>(StringComparer.Ordinal);
        if (config.Blobs.Count > ContainerImageLayout.MaxBlobs) problems.Add($"{config.Blobs.Count} blobs, limit {ContainerImageLayout.MaxBlobs}");
        foreach (var declared in config.Blobs)
        {
            if (!blobs.TryGetValue(declared.Name, out var bytes))
            {
                problems.Add($"blob '{declared.Name}' is declared in the config but not supplied");
                continue;
            }
            if (bytes.Length != declared.Size)
                problems.Add($"blob '{declared.Name}' is {bytes.Length} bytes, the config says {declared.Size}");
            var digest = Digest.Compute(bytes.Span);
            shas[declared.Name] = digest.Encoded;
            if (digest.ToString() != declared.Digest)
                problems.Add($"blob '{declared.Name}' has digest {digest}, the config says {declared.Digest}");
        }
        foreach (var name in blobs.Keys.Where(n => config.Blobs.All(b => b.Name != n)).Order(StringComparer.Ordinal))
            problems.Add($"blob '{name}' is supplied but not declared in the config's blobs");
        return shas;
    }
}
