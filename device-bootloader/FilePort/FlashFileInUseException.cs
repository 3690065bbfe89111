using AtymSecure.Bootloader.Flash;

namespace AtymSecure.Bootloader.FilePort;

/// <summary>A file-backed flash is already open for writing by another process (or another instance in this one).</summary>
public sealed class FlashFileInUseException : FlashException
{
    public FlashFileInUseException(string path, Exception inner)
        : base($"flash file '{path}' is in use by another process (a simulated device already runs on it)", inner) => FilePath = path;
    public FlashFileInUseException() { }
    public FlashFileInUseException(string message) : base(message) { }

    public string? FilePath { get; }
}
