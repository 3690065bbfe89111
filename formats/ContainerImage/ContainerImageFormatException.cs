using AtymSecure.Primitives;

namespace AtymSecure.Formats.ContainerImage;

/// <summary>
/// The bytes are not a valid container image v1, or not the image its bundle header describes.
/// <see cref="ProblemException.Problems"/> lists every problem found, each with code <see cref="ReasonCodes.ImageMalformed"/>
/// and the field or byte range as path (docs/container-image-format.md#validation).
/// </summary>
public sealed class ContainerImageFormatException : ProblemException
{
    public ContainerImageFormatException(IReadOnlyList<Problem> problems)
        : base("invalid container image", problems)
    {
    }

    /// <summary>One container image problem at <paramref name="path"/>.</summary>
    internal static Problem At(string path, string message) => new(ReasonCodes.ImageMalformed, path, message);
}
