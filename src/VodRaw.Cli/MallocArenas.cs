using System.Runtime.InteropServices;

namespace VodRaw.Cli;

/// <summary>
/// Caps glibc's malloc at two arenas for this process. glibc gives threads that contend for malloc arenas of their own
/// (up to eight per core), and each keeps the memory it has touched; the runtime's native allocations from a dozen
/// thread-pool and socket threads spread over them. Measured against the build without it, runs alternated: peak RSS
/// 1–2.4 MiB lower for 1, 4 and 16 GiB uploads, CPU unchanged (benchmarks/README.md, "Memory flatness"). The CLI is an
/// application and may tune its allocator; the library never does. Elsewhere than glibc (musl, macOS, Windows) it
/// does nothing.
/// </summary>
internal static class MallocArenas
{
    private const int MArenaMax = -8; // M_ARENA_MAX in glibc's malloc.h

    public static void Cap()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return; // an explicit setting wins
        }

        try
        {
            _ = Mallopt(MArenaMax, 2);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: nothing to cap.
        }
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Mallopt(int parameter, int value);
}
