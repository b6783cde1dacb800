"""CPU per GiB of `vodraw upload` against Tencent's Python SDK (vod-python-sdk), whole processes, start-up subtracted.

Usage (a `vodraw emulator --discard-content --json` banner in EMULATOR_JSON, the SDKs importable as in README.md):
    python3 cpu.py EMULATOR_JSON BIG_FILE SMALL_FILE REPS CONCURRENCY VARIANT...
VARIANT: NAME=DIR (a folder holding VodRaw.Cli.dll, run as `dotnet DIR/VodRaw.Cli.dll`) or `python`.
CONCURRENCY: a number (--concurrency N / ConcurrentUploadNumber=N) or `default` (neither set).

Each repetition runs every variant (rotated, so none always goes first) on SMALL_FILE, then on BIG_FILE; a run's CPU
is user + system seconds of the whole process (its children included) from /usr/bin/time. The marginal CPU is
big - small of the same repetition: what the upload of the extra bytes cost, with start-up (runtime or interpreter,
imports, JIT of what a small upload needs) taken away. Prints medians and each variant's ratio to `python`.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
banner_path, big, small, reps, concurrency = sys.argv[1:6]
variants = sys.argv[6:]
banner = json.load(open(banner_path))
env = dict(os.environ, TENCENTCLOUD_SECRET_ID=banner["secretId"], TENCENTCLOUD_SECRET_KEY=banner["secretKey"])


def command(variant, path):
    if variant == "python":
        return [sys.executable, os.path.join(here, "upload_file.py"), banner_path, path, concurrency]
    folder = variant.split("=", 1)[1]
    # A fresh checkpoint directory per run: the CLI records committed uploads, and a repeat of the same file would
    # answer with the recorded FileId instead of uploading (every run must upload, as the SDK's does).
    args = ["dotnet", os.path.join(folder, "VodRaw.Cli.dll"), "upload", path, "--region", "ap-guangzhou",
            "--vod-endpoint", banner["vodEndpoint"], "--cos-endpoint", banner["cosEndpoint"], "--quiet", "--json",
            "--checkpoint-dir", tempfile.mkdtemp(prefix="vodraw-cpu-")]
    return args + ([] if concurrency == "default" else ["--concurrency", concurrency])


def run(args):
    out = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", "/dev/stderr"] + args, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(args), out.stderr[-2000:]))
    user, system, rss = out.stderr.strip().splitlines()[-1].split()
    try:
        rate = json.loads(out.stdout.strip().splitlines()[-1]).get("megabytesPerSecond")  # the CLI's --json line
    except (ValueError, IndexError):
        rate = None
    return float(user) + float(system), int(rss) / 1024, rate


results = {v: {"small": [], "big": [], "rss": [], "rate": []} for v in variants}
for rep in range(int(reps)):
    k = rep % len(variants)
    for v in variants[k:] + variants[:k]:
        results[v]["small"].append(run(command(v, small))[0])
        cpu, rss, rate = run(command(v, big))
        results[v]["big"].append(cpu)
        results[v]["rss"].append(rss)
        if rate is not None:
            results[v]["rate"].append(rate)

gib = os.path.getsize(big) / 2**30
marginal = {v: statistics.median((b - s) / gib for b, s in zip(r["big"], r["small"])) for v, r in results.items()}
for v, r in results.items():
    line = "%-12s start-up %.2f CPU-s  %.2f GiB upload %.2f CPU-s  marginal %.2f CPU-s/GiB  peak RSS %.0f MiB" % (
        v.split("=")[0], statistics.median(r["small"]), gib, statistics.median(r["big"]), marginal[v],
        statistics.median(r["rss"]))
    if r["rate"]:
        line += "  %.0f MB/s" % statistics.median(r["rate"])
    if "python" in marginal and v != "python":
        line += "  = %.2f x python" % (marginal[v] / marginal["python"])
    print(line)
    print("             marginals: " + " ".join("%.2f" % ((b - s) / gib) for b, s in zip(r["big"], r["small"])))
