using AtymSecure.DeviceAgent.Status;
using AtymSecure.Runtime.Health;

namespace AtymSecure.DeviceAgent.Updates;

/// <summary>
/// <c>atym device await-install</c>: waits until the running agent has decided one file it was handed through its inbox
/// and returns that decision as an <see cref="InstallVerdict"/>. This is the step an SWUpdate gateway's
/// <c>postinstall</c> script runs right after the rawfile handler renamed the offline export into the inbox
/// (docs/ddi.md, "SWUpdate gateways"): the script's exit code becomes SWUpdate's install result, so suricatta reports
/// the agent's verdict, not only the copy's.
/// <para>
/// The facts come from the agent's own records, in the order it writes them: <see cref="DeviceInbox"/> deletes a file
/// only after status.json (saved atomically) holds its install lines, so "the file left the inbox" read
/// <em>before</em> status.json means the lines read after it are complete. Install lines name the file
/// (<c>NAME.bundle</c>; <c>offline export NAME.tar</c> for an export refused whole; <c>C@V (offline export NAME.tar)</c> per image of an
/// export), and of those only the latest take's (<see cref="InstallStatus.Take"/>: the same name dropped again is another
/// take). Any line not <c>installed</c> is the refusal. Each installed image then needs a trial decided after
/// its install: passed and the container's confirmed slot holding that version is <see cref="InstallVerdictKind.Confirmed"/>,
/// failed is <see cref="InstallVerdictKind.Reverted"/>. Nothing is inferred from absence except at the deadline.
/// </para>
/// The wait is a bounded poll of status.json and the inbox (a few reads a second; the agent publishes at its own
/// pace, and a file watcher would miss changes made before it started).
/// </summary>
public static class InstallAwaiter
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Polls until <see cref="Judge"/> gives a verdict or <paramref name="timeout"/> passes.</summary>
    /// <exception cref="ArgumentException"><paramref name="fileName"/> is not a plain <c>.tar</c> or <c>.bundle</c> name.</exception>
    /// <exception cref="DeviceDataException"><paramref name="root"/> is not a device folder.</exception>
    public static async Task<InstallVerdict> WaitAsync(string root, string fileName, TimeSpan timeout, TimeProvider? clock = null,
        TimeSpan? pollInterval = null, CancellationToken ct = default)
    {
        CheckName(fileName);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var directory = new DeviceDirectory(root);
        if (!directory.IsInitialised) throw new DeviceDataException($"{directory.Root} is not a device (no device.json); run `atym device init` first");
        var time = clock ?? TimeProvider.System;
        var started = time.GetTimestamp();
        var inboxFile = Path.Combine(directory.InboxDirectory, fileName);
        while (true)
        {
            var inInbox = File.Exists(inboxFile);
            var status = DeviceStatus.Load(directory, out _);
            var (verdict, waitingFor) = Judge(status, fileName, inInbox);
            if (verdict is not null) return verdict;
            var left = timeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) return InstallVerdict.TimedOut(Lines(status, fileName), $"after {timeout}: {waitingFor}");
            var pause = pollInterval ?? DefaultPollInterval;
            await Task.Delay(pause < left ? pause : left, time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One look at the agent's records: a verdict, or null and what is still awaited. <paramref name="inInbox"/> must be
    /// read before <paramref name="status"/> (see the type's remarks).
    /// </summary>
    public static (InstallVerdict? Verdict, string WaitingFor) Judge(DeviceStatus status, string fileName, bool inInbox)
    {
        ArgumentNullException.ThrowIfNull(status);
        CheckName(fileName);
        if (inInbox) return (null, $"the agent has not taken {fileName} from its inbox (is `atym device run` running?)");
        var lines = Lines(status, fileName);
        if (lines.Count == 0) return (null, $"{fileName} is not in the inbox and the agent's status names no install of it");
        if (lines.FirstOrDefault(i => i.Result != InstallResult.Installed) is { } refusal) return (InstallVerdict.Refused(lines, refusal), "");
        foreach (var install in lines)
        {
            if (install.Container is not { } container || install.Version is not { } version) continue; // "up to date": nothing installed
            var trial = status.Trials.LastOrDefault(t => t.Container == container && t.Version == version && t.At >= install.At);
            if (trial is null || trial.Verdict == TrialVerdict.Pending) return (null, $"the health trial of {container} {version} is undecided");
            if (trial.Verdict == TrialVerdict.Failed) return (InstallVerdict.Reverted(lines, trial), "");
            if (!status.HoldsConfirmed(container, version))
                return (null, $"{container} {version} passed its trial but the agent has not published it confirmed yet");
        }
        var installed = lines.Where(i => i.Container is not null).Select(i => $"{i.Container} {i.Version}").ToList();
        return (InstallVerdict.Confirmed(lines, installed.Count == 0 ? $"{fileName}: up to date" : $"{fileName}: confirmed {string.Join(", ", installed)}"), "");
    }

    /// <summary>
    /// The install lines of the latest take of <paramref name="fileName"/>, oldest first: the same <c>.swu</c> installed again
    /// drops its export under the same name, and the earlier drop's verdict is not this one's. Lines without a take number
    /// (written before takes were numbered) count only when no line of the file has one.
    /// </summary>
    private static List<InstallStatus> Lines(DeviceStatus status, string fileName)
    {
        var export = "offline export " + fileName;
        var perImage = $" ({export})";
        var named = status.Installs.Where(i => i.Bundle == fileName || i.Bundle == export || i.Bundle.EndsWith(perImage, StringComparison.Ordinal)).ToList();
        return named.Max(i => i.Take) is { } latest ? [.. named.Where(i => i.Take == latest)] : named;
    }

    private static void CheckName(string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        if (fileName.Contains('/') || fileName.Contains('\\') || fileName.StartsWith('.')
            || !(fileName.EndsWith(DeviceInbox.ExportExtension, StringComparison.Ordinal) || fileName.EndsWith(DeviceInbox.BundleExtension, StringComparison.Ordinal)))
            throw new ArgumentException($"'{fileName}' is not an inbox file name (a plain NAME.tar or NAME.bundle, no folder)", nameof(fileName));
    }
}
