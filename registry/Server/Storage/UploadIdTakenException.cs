namespace AtymSecure.Registry.Storage;

/// <summary>
/// <see cref="IMetadataStore.AddUpload"/> was given an id another session already has. Ids are 128 random bits
/// (<see cref="UploadIds"/>), so this means a bug, never a collision to retry around; both stores refuse the same way and
/// keep the first session.
/// </summary>
public sealed class UploadIdTakenException(string id, Exception? inner = null)
    : InvalidOperationException($"an upload session with id '{id}' already exists", inner)
{
    public string Id { get; } = id;
}
