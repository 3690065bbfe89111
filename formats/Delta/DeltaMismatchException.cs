namespace AtymSecure.Formats.Delta;

/// <summary>
/// A well-formed patch that does not fit the images it is applied to: the old image is not the base
/// the patch was made for, or the reconstructed image does not have the digest the header promises.
/// </summary>
public sealed class DeltaMismatchException : Exception
{
    public DeltaMismatchException(string message)
        : base(message)
    {
    }

    public DeltaMismatchException()
        : this("delta patch does not match the image")
    {
    }

    public DeltaMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
