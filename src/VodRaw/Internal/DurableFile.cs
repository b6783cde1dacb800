using System.Runtime.InteropServices;
using System.Text;

namespace VodRaw;

/// <summary>
/// Replaces a file so that a crash at any moment leaves either the old content or the new, never a mix: write a
/// temporary file in the same directory (owner-only on Unix), flush it to disk, rename it over the target, then
/// flush the directory so the rename itself survives a power cut.
/// </summary>
internal static partial class DurableFile
{
    /// <summary>The mode of every file VodRaw keeps state in (checkpoints, their locks): owner read and write only.</summary>
    internal const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> followed by <paramref name="more"/>.</summary>
    public static void Replace(string path, ReadOnlySpan<byte> content, ReadOnlySpan<byte> more)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + Environment.CurrentManagedThreadId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Write(more);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        SyncDirectory(directory);
    }

    /// <summary>Creates the directory owner-only (0700) when it does not exist; an existing one is left as it is.</summary>
    public static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            // Parents (e.g. ~/.local/state) are created as usual; the store's own directory is owner-only.
            var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory));
            if (!string.IsNullOrEmpty(parent))
            {
                Directory.CreateDirectory(parent);
            }

            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file is ignored by readers.
        }
    }

    /// <summary>fsync(2) of a directory, through the runtime's own native shim; a no-op where that is not possible.</summary>
    private static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            var bytes = new byte[Encoding.UTF8.GetMaxByteCount(directory.Length) + 1];
            Encoding.UTF8.GetBytes(directory, bytes);
            var fd = SystemNativeOpen(ref bytes[0], 0 /* PAL_O_RDONLY */ | 0x0010 /* PAL_O_CLOEXEC */, 0);
            if (fd < 0)
            {
                return;
            }

            _ = SystemNativeFSync(fd);
            _ = SystemNativeClose(fd);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A runtime without the shim: the rename is still atomic, only not yet durable.
        }
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Open")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint SystemNativeOpen(ref byte path, int flags, int mode);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_FSync")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SystemNativeFSync(nint fd);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SystemNativeClose(nint fd);
}
