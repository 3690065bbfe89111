using System.Security.Cryptography;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Swu;

/// <summary>What goes into an <c>.swu</c> besides its payloads: the manifest's version, text, revisions and selection.</summary>
public sealed record SwuManifestOptions(string Version, string Description, EquatableList<string> HardwareCompatibility, SwuSelection? Selection = null);

/// <summary>
/// An optional <c>postinstall</c> shell script (<see cref="SwuScript"/>): its cpio entry name and its bytes (at most
/// <see cref="MaxBytes"/>; a script, not a payload). Its SHA-256 goes into the signed manifest like a payload's.
/// </summary>
public sealed record SwuPostInstallScript(string Filename, byte[] Content)
{
    public const int MaxBytes = 64 * 1024;
}

/// <summary>
/// Writes an SWUpdate image (<c>.swu</c>): a <see cref="CpioCrcWriter"/> archive of <c>sw-description</c>
/// (<see cref="SwDescription"/>), <c>sw-description.sig</c> (<see cref="SwuSigner"/>) and the payloads, in that order —
/// the order SWUpdate streams and checks it in: the manifest and its signature first, so nothing is extracted before the
/// signature verified, then each payload, whose SHA-256 the manifest names. Payloads are hashed before the manifest is
/// written and hashed again while copied, so the archive and its manifest always agree. Size limits: at most
/// <see cref="SwDescription.MaxFiles"/> payloads, each and all together at most <see cref="MaxSwuBytes"/>. An optional
/// <see cref="SwuPostInstallScript"/> follows the signature (before the payloads: SWUpdate keeps scripts in its temp
/// folder and runs them after every payload is installed).
/// </summary>
public sealed class SwuBuilder(SwuSigner signer)
{
    public const string ManifestName = "sw-description";
    public const string SignatureName = "sw-description.sig";

    /// <summary>Largest .swu written (the archive format allows 4 GiB per entry; a gateway's temp space does not).</summary>
    public const long MaxSwuBytes = 1L << 30;

    private readonly SwuSigner _signer = signer ?? throw new ArgumentNullException(nameof(signer));

    /// <summary>Writes the .swu to <paramref name="output"/>; returns its manifest.</summary>
    /// <exception cref="ArgumentException">A payload or manifest value the format refuses, or payloads above the size limit.</exception>
    /// <exception cref="FileNotFoundException">A payload file is missing.</exception>
    /// <exception cref="InvalidDataException">A payload changed while the archive was written.</exception>
    public SwDescription Write(SwuManifestOptions manifest, IReadOnlyList<SwuPayload> payloads, Stream output, SwuPostInstallScript? postInstall = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(payloads);
        ArgumentNullException.ThrowIfNull(output);
        if (payloads.Count is 0 or > SwDescription.MaxFiles) throw new ArgumentException($"an .swu carries 1 to {SwDescription.MaxFiles} payloads", nameof(payloads));
        var measured = payloads.Select(Measure).ToList();
        if (postInstall is not null && (postInstall.Content is not { Length: > 0 } || postInstall.Content.Length > SwuPostInstallScript.MaxBytes))
            throw new ArgumentException($"the post-install script is 1 to {SwuPostInstallScript.MaxBytes} bytes", nameof(postInstall));
        var total = measured.Sum(m => m.Length);
        if (total > MaxSwuBytes) throw new ArgumentException($"the payloads are {total} bytes, above the .swu limit of {MaxSwuBytes}", nameof(payloads));

        var description = new SwDescription(manifest.Version, manifest.Description, manifest.HardwareCompatibility,
            new EquatableList<SwuFile>(payloads.Select((p, i) => new SwuFile(p.Filename, p.TargetPath, measured[i].Sha256))), manifest.Selection,
            postInstall is null ? null : new SwuScript(postInstall.Filename, Convert.ToHexStringLower(SHA256.HashData(postInstall.Content))));
        var text = description.ToBytes();
        var cpio = new CpioCrcWriter(output);
        cpio.WriteEntry(ManifestName, text);
        cpio.WriteEntry(SignatureName, _signer.Sign(text));
        if (postInstall is not null) cpio.WriteEntry(postInstall.Filename, postInstall.Content);
        for (var i = 0; i < payloads.Count; i++)
        {
            using var data = File.OpenRead(payloads[i].SourceFile);
            using var hashing = new HashingReadStream(data);
            cpio.WriteEntry(payloads[i].Filename, measured[i].Length, measured[i].Checksum, hashing);
            if (hashing.Sha256Hex() != measured[i].Sha256)
                throw new InvalidDataException($"payload {payloads[i].Filename} changed while the .swu was written");
        }
        cpio.Finish();
        return description;
    }

    private sealed record Measured(long Length, uint Checksum, string Sha256);

    private static Measured Measure(SwuPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var info = new FileInfo(payload.SourceFile);
        if (!info.Exists) throw new FileNotFoundException($"no payload file {payload.SourceFile}", payload.SourceFile);
        if (info.Length > CpioCrcWriter.MaxEntryBytes) throw new ArgumentException($"payload {payload.Filename} is {info.Length} bytes, above a cpio entry's {CpioCrcWriter.MaxEntryBytes}");
        using var data = info.OpenRead();
        using var hashing = new HashingReadStream(data);
        var buffer = new byte[81920];
        uint sum = 0;
        long length = 0;
        int read;
        while ((read = hashing.Read(buffer)) > 0)
        {
            sum = CpioCrcWriter.Checksum(buffer.AsSpan(0, read), sum);
            length += read;
        }
        return new Measured(length, sum, hashing.Sha256Hex());
    }

    /// <summary>A read-through stream that hashes what passes.</summary>
    private sealed class HashingReadStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public string Sha256Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _hash.AppendData(buffer[..read]);
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
