namespace AtymSecure.Bootloader.Layout;

/// <summary>A partition table that cannot be used; <see cref="Problems"/> lists every problem found.</summary>
public sealed class PartitionTableException : Exception
{
    public PartitionTableException(IReadOnlyList<string> problems)
        : base("invalid partition table: " + string.Join("; ", problems)) => Problems = problems;

    public PartitionTableException() : this(Array.Empty<string>()) { }
    public PartitionTableException(string message) : base(message) => Problems = [message];
    public PartitionTableException(string message, Exception inner) : base(message, inner) => Problems = [message];

    public IReadOnlyList<string> Problems { get; }
}
