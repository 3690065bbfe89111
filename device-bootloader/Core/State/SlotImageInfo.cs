using AtymSecure.Primitives;
using AtymSecure.Formats.Container;

namespace AtymSecure.Bootloader.State;

/// <summary>
/// What a state record says about one slot: whether it holds an image, its size, SHA-256,
/// version (the one <see cref="SemanticVersion"/> type; null only when absent), security counter, and whether the bootloader has hashed it in full and found it
/// matching (<see cref="Verified"/>; the record's MAC then vouches for that result).
/// </summary>
public readonly record struct SlotImageInfo(
    bool Present,
    bool Verified,
    uint Size,
    Digest Digest,
    SemanticVersion? Version,
    uint SecurityCounter)
{
    public static SlotImageInfo Absent { get; } = default;

    public static SlotImageInfo Unverified(uint size, Digest digest, SemanticVersion version, uint securityCounter) =>
        new(true, false, size, digest, version, securityCounter);

    public SlotImageInfo AsVerified() => this with { Verified = true };

    public override string ToString() =>
        Present ? $"v{Version} ({Size} B, ctr {SecurityCounter}{(Verified ? ", verified" : "")})" : "empty";
}
