using System.Runtime.InteropServices;
using VodRaw.Cli;

// Ctrl+C (SIGINT) and SIGTERM cancel the running command: an upload pauses (its checkpoint is kept; with --no-resume
// it aborts its multipart upload) and exits 130, the
// emulator stops cleanly. The second signal is left to the default handler (immediate exit).
MallocArenas.Cap();
using var cancellation = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
return await VodRawCli.RunAsync(args, CliEnvironment.Console(), cancellation.Token);

void Cancel(PosixSignalContext context)
{
    if (!cancellation.IsCancellationRequested)
    {
        context.Cancel = true;
        cancellation.Cancel();
    }
}
