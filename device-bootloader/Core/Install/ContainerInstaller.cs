using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Install;

/// <summary>
/// Installs an image into a container's inactive slot:
/// 1. every check (authenticity via <see cref="IInstallPreCheck"/>, then device checks) before any
///    flash operation — a refusal leaves flash and state untouched;
/// 2. record Installing (the target slot is forgotten before it is erased);
/// 3. erase the sectors the image needs, stream the image in (a delta reads the confirmed slot);
/// 4. sync, read back and hash what was written; only a match records Pending (trial).
/// A cut anywhere leaves the container Installing (never booted from) or Pending; the confirmed
/// image keeps running either way. Built per call by <see cref="DeviceBootloader"/>.
/// </summary>
/// A recovery image that passed every check on a device in recovery first leaves recovery through
/// <paramref name="leaveRecovery"/> (the same fresh state log as operator re-provisioning), then installs as usual.
internal sealed class ContainerInstaller(IFlash flash, ContainerStateStore store, BootloaderOptions options, Action leaveRecovery)
{
    private readonly IFlash _flash = flash;
    private readonly ContainerStateStore _store = store;
    private readonly BootloaderOptions _options = options;

    /// <summary>Installs <paramref name="image"/> as the container's pending trial; returns the slot written.</summary>
    public SlotId Install(IInstallImage image, IInstallPreCheck preCheck)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(preCheck);
        var table = _store.Table;
        var problems = new List<Problem>(preCheck.Check(image, _options.Clock.GetUtcNow()));
        problems.AddRange(DeviceInstallChecks.Check(image, _store, _options));
        if (problems.Count > 0) throw new InstallRefusedException(problems);
        // Checked above: only a recovery image, vouched for by its pre-check, gets here on a device in recovery.
        if (_store.Log.InRecovery) leaveRecovery();

        var before = ContainerTransitions.WithoutConfirmedBelowFloor(_store.Get(image.ContainerName));
        var installing = ContainerTransitions.BeginInstall(before);
        var slot = table.Slot(image.ContainerName, installing.TrialSlot);
        ISlotReader? baseImage = null;
        if (image.Kind == PayloadKind.Delta)
            baseImage = new FlashSlotReader(_flash, table.Slot(image.ContainerName, before.ConfirmedSlot), before.ConfirmedImage!.Value.Size);

        _store.Commit(installing);
        // Only the sectors the image will occupy (less wear than the whole slot).
        _flash.EraseSectors(slot.Offset, image.TargetSize);
        using (var output = new SlotWriteStream(_flash, slot, image.TargetSize, _options.ProgramChunkBytes))
        {
            image.WriteTarget(baseImage, output);
            output.Flush();
            if (output.Written != image.TargetSize)
                throw new InstallVerificationException(ReasonCodes.ImageMismatch, "targetSize", $"image producer wrote {output.Written} bytes, declared {image.TargetSize}");
        }
        _flash.Sync();

        var actual = SlotHasher.Hash(_flash, slot, image.TargetSize);
        if (actual != image.TargetDigest)
            throw new InstallVerificationException(ReasonCodes.ImageMismatch, "targetDigest", $"slot {slot.Slot} reads back as {actual}, expected {image.TargetDigest}");

        var written = SlotImageInfo.Unverified((uint)image.TargetSize, image.TargetDigest, image.Version, image.SecurityCounter);
        _store.Commit(ContainerTransitions.FinishInstall(installing, written, _options.TrialAttempts));
        return slot.Slot;
    }
}
