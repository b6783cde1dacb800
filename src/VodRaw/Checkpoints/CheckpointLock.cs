namespace VodRaw.Checkpoints;

/// <summary>
/// Marks a checkpoint as in use by one running upload: an exclusive lock on <c>{id}.lock</c> beside the checkpoint,
/// held from before the checkpoint is read until the upload ends. The operating system drops the lock when the process
/// ends however it ends, so a crash never leaves a checkpoint locked. A second upload of the same request (the same
/// checkpoint id), in this process or another, is refused instead of resuming the first one's live multipart uploads
/// (which the first would then find completed or gone).
/// </summary>
/// <remarks>
/// The lock file is removed on release. On Unix it is unlinked before its descriptor closes; an acquirer checks
/// after locking that the file it locked is still there, so it does not keep a lock on a file that was just removed.
/// (A third upload of the same request recreating the file in the microseconds between another's open and lock is
/// not detected.) On Windows the file is opened delete-on-close and cannot be opened by anyone else meanwhile.
/// Where the file cannot be created at all (a read-only directory), the upload goes on unlocked: locking only
/// guards against a second run, and the checkpoint writes report their own failures.
/// </remarks>
internal sealed class CheckpointLock : IDisposable
{
    internal const string Extension = ".lock";

    private readonly FileStream? _file;
    private readonly string _path;

    private CheckpointLock(FileStream? file, string path)
    {
        _file = file;
        _path = path;
    }

    /// <summary>
    /// Locks checkpoint <paramref name="id"/> in <paramref name="directory"/>; null when another upload holds it.
    /// </summary>
    public static CheckpointLock? TryAcquire(string directory, string id)
    {
        var path = Path.Combine(directory, id + Extension);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            FileStream file;
            try
            {
                DurableFile.EnsureDirectory(directory);
                file = Open(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                return null; // held: the lock or, on Windows, the sharing mode refuses us
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new CheckpointLock(null, path);
            }

            if (OperatingSystem.IsWindows() || File.Exists(path))
            {
                return new CheckpointLock(file, path);
            }

            file.Dispose(); // locked a file its previous holder had just removed: take the new one
        }

        return null;
    }

    private static FileStream Open(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (OperatingSystem.IsWindows())
        {
            options.Options = FileOptions.DeleteOnClose;
        }
        else
        {
            options.UnixCreateMode = DurableFile.OwnerOnly;
        }

        return new FileStream(path, options);
    }

    public void Dispose()
    {
        if (_file is null)
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            DurableFile.TryDelete(_path); // while still locked: nobody can take it between the unlink and the close
        }

        _file.Dispose();
    }
}
