using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Repository;

/// <summary>
/// A metadata write lost to another writer on the shared data folder: the versioned file it was about to publish
/// exists already, or <c>timestamp.json</c> already holds that version or a newer one. Replicas share one folder, so this
/// is what a replica that stalled past its job claim (or raced an operator's upload on a peer) meets when it wakes up: the
/// newer version stays, nothing of the late write is published, and the caller reads the folder again and retries.
/// </summary>
public sealed class MetadataVersionConflictException : ProblemException
{
    /// <summary>The problem code (also a failed job's error code).</summary>
    public const string Code = "metadata-version-conflict";

    public MetadataVersionConflictException(string file, string detail, Exception? innerException = null)
        : base("metadata write refused", [new Problem(Code, file, $"{file}: {detail}; another writer published first (read the folder again and retry)")], innerException) => File = file;

    public MetadataVersionConflictException() : this("metadata", "version taken") { }

    public MetadataVersionConflictException(string message) : this("metadata", message) { }

    public MetadataVersionConflictException(string message, Exception innerException)
        : base("metadata write refused", [new Problem(Code, "metadata", message)], innerException) => File = "metadata";

    /// <summary>The file name that was not written (<c>12.snapshot.json</c>, <c>timestamp.json</c>).</summary>
    public string File { get; }
}
