namespace AtymSecure.Bootloader.Layout;

/// <summary>One of a container's two image slots. Values are the on-flash encoding.</summary>
public enum SlotId : byte
{
    None = 0,
    A = 1,
    B = 2,
}

public static class SlotIdExtensions
{
    /// <summary>The other slot of the pair (None stays None).</summary>
    public static SlotId Other(this SlotId slot) => slot switch
    {
        SlotId.A => SlotId.B,
        SlotId.B => SlotId.A,
        _ => SlotId.None,
    };
}
