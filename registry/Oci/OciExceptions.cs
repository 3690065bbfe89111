using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci;

/// <summary>Base of every error the client library raises on purpose.</summary>
public class OciException : Exception
{
    public OciException() { }
    public OciException(string message) : base(message) { }
    public OciException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>The requested content, tag or reference does not exist in the target.</summary>
public class NotFoundException : OciException
{
    public NotFoundException() { }
    public NotFoundException(string message) : base(message) { }
    public NotFoundException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>The content being pushed already exists (content-addressed stores refuse overwrites).</summary>
public class AlreadyExistsException : OciException
{
    public AlreadyExistsException() { }
    public AlreadyExistsException(string message) : base(message) { }
    public AlreadyExistsException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>Content whose hash differs from the digest that names it.</summary>
public class DigestMismatchException : OciException
{
    public DigestMismatchException() { }
    public DigestMismatchException(string message) : base(message) { }
    public DigestMismatchException(string message, Exception? inner) : base(message, inner) { }

    public DigestMismatchException(Digest expected, Digest actual, string what)
        : base($"{what}: digest mismatch, expected {expected} but content hashes to {actual}")
    {
        Expected = expected;
        Actual = actual;
    }

    public Digest? Expected { get; }
    public Digest? Actual { get; }
}

/// <summary>Content whose length differs from the size its descriptor declares.</summary>
public class SizeMismatchException : OciException
{
    public SizeMismatchException() { }
    public SizeMismatchException(string message) : base(message) { }
    public SizeMismatchException(string message, Exception? inner) : base(message, inner) { }

    public SizeMismatchException(long expected, long actual, string what)
        : base($"{what}: size mismatch, expected {expected} bytes but got {(actual < 0 ? "more" : actual.ToString(System.Globalization.CultureInfo.InvariantCulture))}")
    {
        Expected = expected;
        Actual = actual;
    }

    public long Expected { get; }

    /// <summary>Bytes seen, or -1 when the content ran past <see cref="Expected"/>.</summary>
    public long Actual { get; }
}

/// <summary>A file name taken from an artifact (e.g. a layer title) that would escape the output folder.</summary>
public class UnsafeFileNameException : OciException
{
    public UnsafeFileNameException() { }
    public UnsafeFileNameException(string message) : base(message) { }
    public UnsafeFileNameException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>An OCI image layout folder that cannot be used (bad oci-layout / index.json).</summary>
public class InvalidLayoutException : OciException
{
    public InvalidLayoutException() { }
    public InvalidLayoutException(string message) : base(message) { }
    public InvalidLayoutException(string message, Exception? inner) : base(message, inner) { }
}
