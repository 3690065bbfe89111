namespace AtymSecure.Delivery.Swu;

/// <summary>
/// One payload of an <c>.swu</c>: its cpio entry name, where it goes on the target (<see cref="SwuFile.Path"/>), and a
/// file holding its bytes. The builder reads the file twice (hash and checksum, then the copy) and fails if it changed.
/// </summary>
public sealed record SwuPayload(string Filename, string TargetPath, string SourceFile);
