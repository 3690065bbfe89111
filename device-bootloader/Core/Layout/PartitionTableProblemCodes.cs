namespace AtymSecure.Bootloader.Layout;

/// <summary>
/// The <see cref="AtymSecure.Primitives.Problem.Code"/>s of a partition table or layout plan refused
/// (<see cref="PartitionTableException"/>): from the table's rules, the v1/v2 encodings read from flash, and the planner.
/// Stable: tests and the CLI's error output name them. Container names keep the container-name rule's own code
/// (<see cref="AtymSecure.Formats.Container.ConfigProblemCodes.InvalidName"/>).
/// </summary>
public static class PartitionTableProblemCodes
{
    // The table's rules (PartitionTable.Validate).
    public const string UnknownKind = "unknown-kind";
    public const string EmptyPartition = "empty-partition";
    public const string OutsideFlash = "outside-flash";
    public const string NotSectorAligned = "not-sector-aligned";
    public const string NamedStateHalf = "named-state-half";
    public const string Overlap = "overlap";
    public const string StateHalfCount = "state-half-count";
    public const string NoContainers = "no-containers";
    public const string TooManyContainers = "too-many-containers";
    public const string SlotCount = "slot-count";
    public const string NamedCounterRegion = "named-counter-region";
    public const string CounterRegionCount = "counter-region-count";
    public const string CounterRegionTooSmall = "counter-region-too-small";
    public const string CounterCapacity = "counter-capacity";

    // The v1 and v2 encodings (PartitionTableCodec, PartitionTableStore).
    public const string Truncated = "truncated";
    public const string NoTable = "no-table";
    public const string UnsupportedVersion = "unsupported-version";
    public const string TooManyEntries = "too-many-entries";
    public const string NonZeroReserved = "non-zero-reserved";
    public const string WrongFlashSize = "wrong-flash-size";
    public const string CrcMismatch = "crc-mismatch";
    public const string NameTooLong = "name-too-long";
    public const string TableTooLarge = "table-too-large";

    // Planning (LayoutPlanner) and the state log's needs (StateLog).
    public const string DuplicateContainer = "duplicate-container";
    public const string SizeOutOfRange = "size-out-of-range";
    public const string NoRoom = "no-room";
    public const string PartTooLarge = "part-too-large";
    public const string ProfileMismatch = "profile-mismatch";
    public const string StateHalvesTooSmall = "state-halves-too-small";
}
