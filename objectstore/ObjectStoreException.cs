namespace AtymSecure.ObjectStore;

/// <summary>
/// Every failure of <see cref="IObjectStore"/> (and of parsing an <see cref="ObjectStoreLocation"/>): <see cref="Error"/> says
/// what kind, <see cref="Key"/> which object. The message names the bucket and key, never a credential.
/// </summary>
public sealed class ObjectStoreException : Exception
{
    public ObjectStoreException(ObjectStoreError error, string? key, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        Key = key;
    }

    public ObjectStoreException() : this(ObjectStoreError.Rejected, null, "object store error") { }

    public ObjectStoreException(string message) : this(ObjectStoreError.Rejected, null, message) { }

    public ObjectStoreException(string message, Exception innerException) : this(ObjectStoreError.Rejected, null, message, innerException) { }

    public ObjectStoreError Error { get; }

    /// <summary>The object's key (without the location's prefix), or null when the error is not about one object.</summary>
    public string? Key { get; }
}
