namespace AtymSecure.Formats.ContainerImage;

/// <summary>
/// The bytes are not a valid container image v1. <see cref="Problems"/> lists every problem found, each
/// naming the field or byte range (docs/container-image-format.md#validation).
/// </summary>
public sealed class ContainerImageFormatException : FormatException
{
    public ContainerImageFormatException(IReadOnlyList<string> problems)
        : base("invalid container image: " + string.Join("; ", problems)) => Problems = problems;

    public IReadOnlyList<string> Problems { get; }
}
