namespace AtymSecure.Runtime.Logging;

/// <summary>
/// The device log on disk, size-capped: lines go to <c>device.log</c> until it would pass <see cref="MaxFileBytes"/>, then
/// it is rotated (<c>device.log</c> → <c>device.log.1</c> → … → <c>device.log.{N-1}</c>, the oldest deleted) and a new one is
/// started. At most <see cref="Files"/> files of <see cref="MaxFileBytes"/> bytes: whatever containers and the agent log,
/// the log never takes more than N × M bytes of the device's storage. A single line longer than a file is cut to fit.
/// </summary>
public sealed class RotatingFileLogSink : ILogSink, IDisposable
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private FileStream _file;

    /// <exception cref="ArgumentOutOfRangeException">Fewer than one file, or files too small for a line.</exception>
    public RotatingFileLogSink(string path, int files, long maxFileBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(files, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFileBytes, 4096);
        _path = path;
        Files = files;
        MaxFileBytes = maxFileBytes;
        _file = Open();
        if (_file.Length >= maxFileBytes) Rotate();
    }

    public int Files { get; }

    public long MaxFileBytes { get; }

    /// <summary>How many times the log rotated since this sink opened it.</summary>
    public int Rotations { get; private set; }

    public void Write(LogRecord record)
    {
        var line = System.Text.Encoding.UTF8.GetBytes(record.ToString() + "\n");
        if (line.Length > MaxFileBytes)
            line = System.Text.Encoding.UTF8.GetBytes(LogRateLimiter.Cut(record.ToString(), (int)MaxFileBytes - 64) + "\n");
        lock (_lock)
        {
            if (_file.Length + line.Length > MaxFileBytes) Rotate();
            _file.Write(line);
            _file.Flush();
        }
    }

    private void Rotate()
    {
        _file.Dispose();
        File.Delete(Numbered(Files - 1));
        for (var i = Files - 2; i >= 1; i--)
        {
            if (File.Exists(Numbered(i))) File.Move(Numbered(i), Numbered(i + 1));
        }
        if (Files > 1) File.Move(_path, Numbered(1)); // with one file, the delete above removed device.log itself
        _file = Open();
        Rotations++;
    }

    private string Numbered(int i) => i == 0 ? _path : $"{_path}.{i}";

    private FileStream Open() => new(_path, FileMode.Append, FileAccess.Write, FileShare.Read);

    public void Dispose()
    {
        lock (_lock) _file.Dispose();
    }
}
