using System.Globalization;
using System.Security.Cryptography;
using AtymSecure.Delivery.Swu;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Offline;

/// <summary>
/// An offline export packed as an SWUpdate image for a gateway (issue 18; docs/ddi.md, "SWUpdate gateways"): the export
/// is written as one tar (<see cref="OfflineExporter.WriteTarAsync"/>, the same bytes <c>atym ota export-offline
/// --out X.tar</c> gives), and that tar is the one payload of an <c>.swu</c> (<see cref="SwuBuilder"/>), installed by
/// SWUpdate's <c>rawfile</c> handler with atomic-install into the agent's inbox as
/// <c>INBOX/STAMP-atym-export-SHA12.tar</c> (the stamp sorts it after earlier drops, as <c>DeviceInbox</c> names them).
/// SWUpdate checks the CMS signature, the hardware revision and the tar's sha256; the agent then verifies the export
/// itself exactly as <c>install --metadata</c> — SWUpdate's signature says the server sent it, not that the update is
/// genuine, so the device trusts nothing from this wrapper.
/// </summary>
public static class OfflineExportSwu
{
    public const string PayloadName = "atym-offline-export.tar";

    /// <summary>Writes the .swu for <paramref name="files"/> to <paramref name="swuFile"/> (whole or not at all: <see cref="AtomicFile"/>; the tar is a temp file beside it); returns its manifest.</summary>
    public static async Task<SwDescription> WriteAsync(IReadOnlyList<OfflineExportFile> files, string version, SwuGatewayOptions options, SwuSigner signer,
        string swuFile, TimeProvider clock, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(clock);
        var tar = swuFile + ".export.tar";
        try
        {
            await using (var output = File.Create(tar))
                await OfflineExporter.WriteTarAsync(files, output, ct).ConfigureAwait(false);
            string sha;
            await using (var read = File.OpenRead(tar))
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, ct).ConfigureAwait(false));
            var stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMddTHHmmssfffffff", CultureInfo.InvariantCulture);
            var target = $"{options.InboxDirectory}/{stamp}-atym-export-{sha[..12]}.tar";
            var manifest = new SwuManifestOptions(version, "atym offline export (verified again by the atym agent)", options.HardwareCompatibility,
                options.SoftwareSet is { } set && options.SoftwareMode is { } mode ? new SwuSelection(set, mode) : null);
            SwDescription description = null!;
            AtomicFile.Write(swuFile, output => description = new SwuBuilder(signer).Write(manifest, [new SwuPayload(PayloadName, target, tar)], output));
            return description;
        }
        finally
        {
            File.Delete(tar);
        }
    }
}
