"""URL source against the same file read locally: `vodraw upload URL` vs `vodraw upload FILE`, whole CLI processes.

Usage:
    python3 url_vs_file.py CLI_DIR FILE REPS [CONCURRENCY]
CLI_DIR holds VodRaw.Cli.dll (run as `dotnet CLI_DIR/VodRaw.Cli.dll`). FILE is uploaded from disk and, by URL, from
the emulator's loopback origin (`vodraw emulator --origin DIR`, DIR = FILE's folder), against one emulator started
here with --discard-content (so its disk is not what is measured). Each repetition runs both sources (rotated, so
neither always goes first). Per run: MB/s from the CLI's --json line, CPU (user + system seconds of the CLI process
from /usr/bin/time) per GiB, peak RSS. The origin runs in the emulator's process, so its cost is not the client's.
Prints medians and the URL source's ratios to the file source, measured in the same run.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

cli, path, reps = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3])
concurrency = sys.argv[4] if len(sys.argv) > 4 else None
dll = os.path.join(cli, "VodRaw.Cli.dll")
banner_file = tempfile.NamedTemporaryFile(prefix="vodraw-emu-", suffix=".json", delete=False).name
emulator = subprocess.Popen(["dotnet", dll, "emulator", "--discard-content", "--json", "--origin", os.path.dirname(path)],
                            stdout=open(banner_file, "w"), stderr=subprocess.DEVNULL)
try:
    for _ in range(300):
        time.sleep(0.1)
        text = open(banner_file).read().strip()
        if text:
            banner = json.loads(text.splitlines()[0])
            break
    else:
        sys.exit("the emulator printed no banner")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TENCENTCLOUD_"))}
    env.update(TENCENTCLOUD_SECRET_ID=banner["secretId"], TENCENTCLOUD_SECRET_KEY=banner["secretKey"])
    url = banner["originEndpoint"].rstrip("/") + "/" + os.path.basename(path)
    size = os.path.getsize(path)

    def run(source):
        args = ["dotnet", dll, "upload", source, "--region", "ap-guangzhou", "--vod-endpoint", banner["vodEndpoint"],
                "--cos-endpoint", banner["cosEndpoint"], "--quiet", "--json", "--checkpoint-dir", tempfile.mkdtemp(prefix="vodraw-url-")]
        if concurrency:
            args += ["--concurrency", concurrency]
        out = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", "/dev/stderr"] + args, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if out.returncode != 0:
            sys.exit("failed: %s\n%s\n%s" % (" ".join(args), out.stdout[-2000:], out.stderr[-2000:]))
        user, system, rss = out.stderr.strip().splitlines()[-1].split()
        result = json.loads(out.stdout.strip().splitlines()[-1])
        return result["megabytesPerSecond"], (float(user) + float(system)) / (size / 2**30), int(rss) / 1024

    runs = {"file": [], "url": []}
    for rep in range(reps):
        order = ["file", "url"] if rep % 2 == 0 else ["url", "file"]
        for name in order:
            runs[name].append(run(path if name == "file" else url))
            print(name, "MB/s %.0f  CPU-s/GiB %.3f  RSS %.0f MiB" % runs[name][-1], file=sys.stderr)

    med = {n: [statistics.median(r[i] for r in runs[n]) for i in range(3)] for n in runs}
    print("| source | MB/s | CPU-s/GiB | peak RSS MiB |")
    print("|---|---|---|---|")
    for n in ("file", "url"):
        print("| %s | %.0f | %.3f | %.0f |" % (n, med[n][0], med[n][1], med[n][2]))
    print("| url / file | %.2f × | %.2f × | %.2f × |" % (med["url"][0] / med["file"][0], med["url"][1] / med["file"][1], med["url"][2] / med["file"][2]))
finally:
    emulator.terminate()
    emulator.wait()
