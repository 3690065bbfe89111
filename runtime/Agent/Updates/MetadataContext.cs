using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Updates;

/// <summary>What the metadata verifier needs to know about this device (<see cref="DeviceContext"/>): id, class, the nonces a director answer may echo, and per container its counter floor and the confirmed and pending images. One builder for the HTTP and the offline path.</summary>
public static class MetadataContext
{
    public static DeviceContext Of(LocalDevice device, EquatableList<string> acceptedNonces)
    {
        ArgumentNullException.ThrowIfNull(device);
        static string? Hex(string? digest) => digest is not null && digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest["sha256:".Length..] : null;
        var containers = device.SlotStatus().Select(c => KeyValuePair.Create(c.Name, new InstalledContainer(
            c.SecurityFloor,
            Hex(c.Slots.FirstOrDefault(s => s.Slot == c.ConfirmedSlot)?.Digest),
            Hex(c.Slots.FirstOrDefault(s => s.Slot == c.TrialSlot)?.Digest))));
        return new DeviceContext(device.Identity.DeviceId, device.Identity.DeviceClass, acceptedNonces, new EquatableMap<InstalledContainer>(containers));
    }
}
