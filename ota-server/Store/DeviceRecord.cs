using AtymSecure.Primitives;

namespace AtymSecure.OtaStore;

/// <summary>Where a device stands in its life.</summary>
public enum DeviceState
{
    /// <summary>Enrolled without a token or preauthorization: waits for an operator's approval.</summary>
    Pending,

    /// <summary>May authenticate and poll.</summary>
    Active,

    /// <summary>Out of service: every session refused, re-enrolment refused.</summary>
    Decommissioned,
}

/// <summary>One container slot pair of a device's partition table.</summary>
public sealed record DevicePartition(string Container, long SlotBytes);

/// <summary>
/// A device as the server knows it: identity key (base64url SPKI and its SHA-256 fingerprint), what it told at
/// enrolment, state, session <see cref="Epoch"/> (bumped by decommission and key rotation, which ends every session),
/// operator-set groups and tags, <see cref="Revision"/> for optimistic updates, and what its last report said
/// (<see cref="Seen"/>, null before its first report; written by <see cref="IDeviceStore.RecordSeen"/> only).
/// </summary>
public sealed record DeviceRecord(
    string Id,
    string PublicKey,
    string KeyFingerprint,
    string DeviceClass,
    string FlashProfile,
    EquatableList<DevicePartition> PartitionTable,
    string RuntimeVersion,
    DeviceState State,
    long Epoch,
    EquatableList<string> Groups,
    EquatableMap<string> Tags,
    DateTimeOffset EnrolledAt,
    DateTimeOffset UpdatedAt,
    long Revision,
    DeviceSighting? Seen = null);
