using System.Diagnostics;
using VodRaw.Emulator;

namespace VodRaw.Tests.Support;

/// <summary>The CLI in a child process (the build the tests reference), with the emulator's keys in its environment.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    private CliProcess(Process process)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    public int ExitCode => _process.ExitCode;

    public static CliProcess Start(VodEmulator emulator, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "VodRaw.Cli.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["TENCENTCLOUD_SECRET_ID"] = emulator.Credential.SecretId;
        start.Environment["TENCENTCLOUD_SECRET_KEY"] = emulator.Credential.SecretKey;
        start.Environment.Remove("TENCENTCLOUD_SESSION_TOKEN");
        return new CliProcess(Process.Start(start)!);
    }

    /// <summary>SIGKILL once <paramref name="condition"/> holds; false when the process ended first.</summary>
    public async Task<bool> KillAfterAsync(Func<bool> condition, TimeSpan limit)
    {
        if (!await WaitUntilAsync(condition, limit))
        {
            await _process.WaitForExitAsync();
            return false;
        }

        _process.Kill(); // SIGKILL on Unix: no handler runs
        await _process.WaitForExitAsync();
        return true;
    }

    /// <summary>Polls until the condition holds (true) or the process exits (false); fails past the limit.</summary>
    public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (_process.HasExited)
            {
                return false;
            }

            Assert.True(deadline.Elapsed < limit, "the CLI made no progress within " + limit);
            await Task.Delay(2);
        }

        return true;
    }

    /// <summary>
    /// Ctrl+C: SIGINT — unless this test run itself ignores SIGINT (started as a background job of a non-interactive
    /// shell), because the child inherits that and .NET keeps an inherited ignore; then SIGTERM, which the CLI handles
    /// the same way.
    /// </summary>
    public void Interrupt()
    {
        var signal = SigIntIgnored() ? "-TERM" : "-INT";
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Whether SIGINT (signal 2, bit 1 of the mask) is ignored by this process, from /proc/self/status.</summary>
    private static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & 0b10) != 0;
    }

    public async Task<(int Code, string Output, string Error)> WaitAsync(TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(cts.Token);
        return (_process.ExitCode, await _output, await _error);
    }

    /// <summary>Waits until the emulator has logged every request a killed run had in flight.</summary>
    public static async Task QuietAsync(VodEmulator emulator)
    {
        for (var quiet = 0; quiet < 3;)
        {
            var seen = emulator.Requests.Count;
            await Task.Delay(50);
            quiet = emulator.Requests.Count == seen ? quiet + 1 : 0;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
