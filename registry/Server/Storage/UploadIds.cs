namespace AtymSecure.Registry.Storage;

/// <summary>Upload session ids: 32 lowercase hex characters (a random GUID), never a path.</summary>
public static class UploadIds
{
    public static string New() => Guid.NewGuid().ToString("N");

    public static bool IsWellFormed(string? id) =>
        id is { Length: 32 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
