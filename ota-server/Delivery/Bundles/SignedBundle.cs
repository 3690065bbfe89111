using AtymSecure.Formats.Bundle;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;

namespace AtymSecure.Delivery.Bundles;

/// <summary>
/// A signed bundle in memory (docs/bundle-format.md): header, one signature per key over it, payload. Cutting
/// writes nothing; the caller sends it where it goes — a stream, a file (atomically, through primitives'
/// <see cref="AtomicFile"/>) or a content store as one blob. The same inputs and keys give the same bytes.
/// </summary>
public sealed class SignedBundle
{
    /// <summary>Media type of a bundle stored as a blob (e.g. in an OCI store or the OTA server's bundle cache).</summary>
    public const string MediaType = "application/vnd.atym.bundle.v1";

    private SignedBundle(BundleHeader header, IReadOnlyList<BundleSignature> signatures, ReadOnlyMemory<byte> payload)
    {
        Header = header;
        Signatures = signatures;
        Payload = payload;
    }

    public BundleHeader Header { get; }

    public IReadOnlyList<BundleSignature> Signatures { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Signs <paramref name="header"/> with every key; the payload must be the one the header describes.</summary>
    public static async Task<SignedBundle> SignAsync(BundleHeader header, ReadOnlyMemory<byte> payload, IReadOnlyList<ISigningKey> keys,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) throw new ArgumentException("a bundle needs at least one signing key", nameof(keys));
        var errors = header.Validate();
        if (errors.Count > 0) throw new BundleFormatException(errors);
        if (header.PayloadLength != (ulong)payload.Length)
            throw new ArgumentException($"the header describes a {header.PayloadLength}-byte payload, not {payload.Length} bytes", nameof(payload));
        var input = BundleFrame.SignatureInput(header);
        var signatures = new List<BundleSignature>(keys.Count);
        foreach (var key in keys)
            signatures.Add(new BundleSignature(key.Algorithm, key.KeyId, await key.SignAsync(input, ct).ConfigureAwait(false)));
        return new SignedBundle(header, signatures, payload);
    }

    public Task WriteToAsync(Stream output, CancellationToken ct = default) => BundleFrame.WriteAsync(output, Header, Signatures, Payload, ct);

    /// <summary>Writes the bundle file atomically: a reader sees the old file or the whole new one, never a part.</summary>
    public Task WriteFileAsync(string path, CancellationToken ct = default) =>
        AtomicFile.WriteAsync(path, (file, token) => WriteToAsync(file, token), cancellationToken: ct);

    public async Task<byte[]> ToArrayAsync(CancellationToken ct = default)
    {
        using var buffer = new MemoryStream();
        await WriteToAsync(buffer, ct).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Stores the bundle as one content-addressed blob of <see cref="MediaType"/>.</summary>
    public async Task<Descriptor> PushAsync(IPusher store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.PushBytesAsync(MediaType, await ToArrayAsync(ct).ConfigureAwait(false), cancellationToken: ct).ConfigureAwait(false);
    }
}
