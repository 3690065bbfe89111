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
/// <para>
/// When <see cref="SwuGatewayOptions.AwaitsAgentVerdict"/>, the .swu also carries <see cref="ScriptName"/>, a
/// <c>postinstall</c> script (<see cref="PostInstallScript"/>) that runs <c>atym device await-install</c> for the very
/// file the rawfile handler wrote: SWUpdate runs it after the copy, and its exit code (0 only when the agent installed
/// and confirmed) is SWUpdate's install result, so a refusal reaches the server as suricatta's <c>closed</c>/<c>failure</c>
/// with the agent's reason in SWUpdate's log. Every value in it is ours (checked paths, the stamp, a hex digest), and its
/// SHA-256 is in the signed <c>sw-description</c>, like the payload's.
/// </para>
/// </summary>
public static class OfflineExportSwu
{
    public const string PayloadName = "atym-offline-export.tar";
    public const string ScriptName = "atym-await-install.sh";

    /// <summary>
    /// The post-install script for <paramref name="inboxFile"/> (a name in the agent's inbox): <c>exec ATYM device
    /// await-install --data DIR --file NAME --timeout Ns</c>. SWUpdate passes its own arguments; the script ignores them.
    /// </summary>
    /// <exception cref="ArgumentException">The options carry no atym command or device folder, or a value the script cannot name safely.</exception>
    public static byte[] PostInstallScript(SwuGatewayOptions options, string inboxFile)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options is not { AtymCommand: { } atym, DeviceDirectory: { } data } || !SwuGatewayOptions.IsScriptPath(atym) || !SwuGatewayOptions.IsScriptPath(data))
            throw new ArgumentException("the post-install script needs ddi.swu.atymCommand and ddi.swu.deviceDirectory as safe absolute paths", nameof(options));
        if (!SwuGatewayOptions.IsScriptPath("/" + inboxFile) || inboxFile.Contains('/'))
            throw new ArgumentException($"'{inboxFile}' is not a plain inbox file name", nameof(inboxFile));
        var seconds = (long)Math.Ceiling(options.VerdictTimeout.TotalSeconds);
        return System.Text.Encoding.ASCII.GetBytes(
            "#!/bin/sh\n" +
            "# SWUpdate postinstall (AtymSecure, docs/ddi.md \"SWUpdate gateways\"): the atym agent's verdict on the export just\n" +
            "# written into its inbox is this install's result. 0: installed and confirmed; non-zero: refused, reverted or\n" +
            "# no verdict in time, the reason on stderr (SWUpdate logs it and suricatta reports closed/failure).\n" +
            $"exec '{atym}' device await-install --data '{data}' --file '{inboxFile}' --timeout {seconds}s\n");
    }

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
            var name = $"{stamp}-atym-export-{sha[..12]}.tar";
            var target = $"{options.InboxDirectory}/{name}";
            var script = options.AwaitsAgentVerdict ? new SwuPostInstallScript(ScriptName, PostInstallScript(options, name)) : null;
            var manifest = new SwuManifestOptions(version, "atym offline export (verified again by the atym agent)", options.HardwareCompatibility,
                options.SoftwareSet is { } set && options.SoftwareMode is { } mode ? new SwuSelection(set, mode) : null);
            SwDescription description = null!;
            AtomicFile.Write(swuFile, output => description = new SwuBuilder(signer).Write(manifest, [new SwuPayload(PayloadName, target, tar)], output, script));
            return description;
        }
        finally
        {
            File.Delete(tar);
        }
    }
}
