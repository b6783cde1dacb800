using System.Runtime.InteropServices;

namespace VodRaw;

/// <summary>
/// Tells a regular file from a device, FIFO or socket before it is opened (opening a FIFO blocks until a writer
/// comes; /dev/zero reads as an endless or an empty file). On Unix this asks the runtime's own native shim
/// (libSystem.Native, present in every .NET runtime and statically linked into native AOT builds) for the stat mode.
/// </summary>
internal static partial class FileKind
{
    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int Directory = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int Regular = 0x8000;
    private const int Socket = 0xC000;

    /// <summary>Null for a regular file (or when the kind cannot be told); otherwise what it is, in words.</summary>
    public static string? DescribeIfNotRegular(string fullPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        int mode;
        try
        {
            mode = StatMode(fullPath);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // a runtime without the shim: the open that follows still fails for most non-files
        }

        return mode < 0 ? null : (mode & TypeMask) switch
        {
            Regular => null,
            Fifo => "a FIFO (named pipe)",
            CharacterDevice => "a character device",
            BlockDevice => "a block device",
            Directory => "a directory",
            Socket => "a socket",
            _ => "not a regular file",
        };
    }

    private static int StatMode(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetMaxByteCount(path.Length) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        // The shim's FileStatus begins { int32 Flags; int32 Mode; ... } and is well under 256 bytes.
        var status = new byte[256];
        return SystemNativeStat(ref bytes[0], ref status[0]) == 0 ? BitConverter.ToInt32(status, 4) : -1;
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SystemNativeStat(ref byte path, ref byte status);
}
