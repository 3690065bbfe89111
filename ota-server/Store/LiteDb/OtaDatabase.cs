using LiteDB;

namespace AtymSecure.OtaStore.LiteDb;

/// <summary>
/// The one LiteDB database of an OTA server process (<c>DATA/ota.db</c>), shared by every LiteDB store (tokens,
/// devices, reports, audit, and the releases and metadata libraries' stores). LiteDB writes each committed transaction
/// to its log before returning, so a kill -9 loses nothing acknowledged. An exclusive lock file keeps a second process
/// off the same folder (LiteDB's own sharing would let it in and corrupt the file). Writes that read before they write
/// run under <see cref="Write{T}"/> (one lock, one transaction), so they are atomic against each other.
/// </summary>
public sealed class OtaDatabase : IDisposable
{
    public const string FileName = "ota.db";
    public const string LockFileName = "ota.lock";

    private readonly FileStream _processLock;
    private readonly object _writeLock = new();

    public OtaDatabase(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        DataDirectory = Path.GetFullPath(dataDirectory);
        _processLock = AcquireProcessLock(DataDirectory);
        try
        {
            Database = new LiteDatabase(new ConnectionString
            {
                Filename = Path.Combine(DataDirectory, FileName),
                Connection = ConnectionType.Direct,
                Collation = new Collation("/Ordinal"),
            }, new BsonMapper());
        }
        catch
        {
            _processLock.Dispose();
            throw;
        }
    }

    public string DataDirectory { get; }

    internal LiteDatabase Database { get; }

    private int _writeDepth; // guarded by _writeLock

    /// <summary>Runs <paramref name="work"/> under the write lock in one transaction: all of it commits, or none. A
    /// <see cref="Write{T}"/> inside another (same thread: the lock is reentrant) joins the outer transaction.</summary>
    internal T Write<T>(Func<T> work)
    {
        lock (_writeLock)
        {
            if (_writeDepth > 0)
            {
                _writeDepth++;
                try
                {
                    return work();
                }
                finally
                {
                    _writeDepth--;
                }
            }
            Database.BeginTrans();
            _writeDepth = 1;
            try
            {
                var result = work();
                Database.Commit();
                return result;
            }
            catch
            {
                Database.Rollback();
                throw;
            }
            finally
            {
                _writeDepth = 0;
            }
        }
    }

    public void Dispose()
    {
        Database.Dispose();
        _processLock.Dispose();
    }

    private static FileStream AcquireProcessLock(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, LockFileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"the OTA data folder '{dataDirectory}' is in use by another process ({path} is locked)", e);
        }
    }
}
