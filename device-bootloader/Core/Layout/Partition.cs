namespace AtymSecure.Bootloader.Layout;

/// <summary>What a partition holds. Values are the on-flash encoding (docs: device-bootloader/README.md).</summary>
public enum PartitionKind : byte
{
    StateHalf0 = 1,
    StateHalf1 = 2,
    SlotA = 3,
    SlotB = 4,

    /// <summary>The write-once security counter region (table v2 only; <see cref="State.SecurityCounterStore"/>).</summary>
    CounterStore = 5,
}

/// <summary>A sector-aligned byte range of the flash part. State halves and the counter region have an empty container name.</summary>
public sealed record Partition(PartitionKind Kind, string ContainerName, long Offset, long Size)
{
    public long End => Offset + Size;

    public bool IsSlot => Kind is PartitionKind.SlotA or PartitionKind.SlotB;

    public SlotId Slot => Kind switch
    {
        PartitionKind.SlotA => SlotId.A,
        PartitionKind.SlotB => SlotId.B,
        _ => SlotId.None,
    };

    public override string ToString() =>
        IsSlot ? $"{ContainerName}/{Slot} [0x{Offset:X}, +{Size})" : $"{Kind} [0x{Offset:X}, +{Size})";
}
