namespace AtymSecure.Bootloader.State;

/// <summary>Kinds of record in the state log. Values are the on-flash encoding.</summary>
public enum StateRecordType : byte
{
    /// <summary>First slot of a state half: makes the half current for its epoch.</summary>
    HalfHeader = 1,

    /// <summary>One container's state after a transition.</summary>
    Container = 2,
}

/// <summary>A decoded record: its log position data (sequence, epoch) and, for container records, the state.</summary>
public sealed record StateLogEntry(StateRecordType Type, uint Sequence, uint Epoch, ContainerRecord? Container);
