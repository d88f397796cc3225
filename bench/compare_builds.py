#!/usr/bin/python3
"""Two builds of bench/conv2d_bench against each other, in one run, as a markdown table.

For a change that must not slow the engine down (a refactor of the fast path or the trace):
build conv2d_bench at the old commit and at the new one; this runs the two binaries alternately,
one process per case and build, in the order old, new, new, old, old, new, ... (so that a
machine getting busier or quieter during the run weighs on both alike). Each process times
--samples warm calls with conv2d_bench's sample modes (after its 3 warm-up calls):
  fast path: --samples=N --case=I --threads=T  (cs::detail::conv2d_fast on preallocated buffers)
  trace:     --trace-samples=N --case=I        (cs::conv2d_trace, all hardware threads)
and the table gives per case the median of all calls of each build, the ratio new / old of the
medians (below 1: the new build is faster), the same ratio of the fastest calls, and the ratio
of the CPU time per call (the calling thread's for the fast path on one thread, the whole
process's for the trace): all of the work, less disturbed than wall time when other processes
share the cores.

Usage:
  bench/compare_builds.py --old OLD/conv2d_bench --new NEW/conv2d_bench [--rounds 6] [--samples 10]
      [--only fast|trace] [--trace-isa 0|1|2]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

# The order of kCases and kTraceCases in conv2d_bench.cpp.
FAST_CASES = ["1×3×1080×1920 → 3, 3×3, pad 1", "1×3×2160×3840 → 3, 3×3, pad 1",
              "1×3×224×224 → 64, 7×7, stride 2, pad 3", "1×64×56×56 → 64, 3×3, pad 1",
              "1×1×512×512 → 1, 11×11, pad 5"]
TRACE_CASES = ["1×3×256×256 → 16, 3×3, pad 1", "1×3×1080×1920 → 16, 3×3, pad 1"] + FAST_CASES


def samples(binary, args):
    out = subprocess.run([binary] + args, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def machine():
    model = "unknown"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                model = line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return f"{model}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True, help="conv2d_bench built at the old commit")
    ap.add_argument("--new", required=True, help="conv2d_bench built at the new commit")
    ap.add_argument("--rounds", type=int, default=6, help="processes per case and build")
    ap.add_argument("--samples", type=int, default=10, help="timed calls per process")
    ap.add_argument("--threads", default="1,2", help="fast path thread counts")
    ap.add_argument("--only", choices=["fast", "trace"], default=None)
    ap.add_argument("--trace-isa", type=int, default=None,
                    help="cap the trace's instruction set (0 SSE2, 1 AVX2, 2 AVX-512) with "
                         "conv2d_bench's --isa; the fast path's sample mode always runs the best")
    args = ap.parse_args()

    jobs = []  # (row label, conv2d_bench arguments, keys of the times in its JSON)
    if args.only != "trace":
        for i, label in enumerate(FAST_CASES):
            for t in args.threads.split(","):
                jobs.append((f"fast path, {t} thread{'s' if t != '1' else ''} | {label}",
                             [f"--samples={args.samples}", f"--case={i}", f"--threads={t}"],
                             ["ms", "cpu_ms"] if t == "1" else ["ms"]))
    if args.only != "fast":
        for i, label in enumerate(TRACE_CASES):
            isa = [] if args.trace_isa is None else [f"--isa={args.trace_isa}"]
            jobs.append((f"trace | {label}",
                         [f"--trace-samples={args.samples}", f"--case={i}"] + isa,
                         ["trace_ms", "trace_cpu_ms"]))

    print(f"machine: {machine()}; load average before: {os.getloadavg()}", file=sys.stderr)
    times = {(label, key, side): [] for label, _, keys in jobs for key in keys
             for side in ("old", "new")}
    for r in range(args.rounds):
        order = ["old", "new"] if r % 2 == 0 else ["new", "old"]
        for label, bench_args, keys in jobs:
            for side in order:
                result = samples(getattr(args, side), bench_args)
                for key in keys:
                    times[(label, key, side)] += result[key]
        print(f"round {r + 1}/{args.rounds} done, load average {os.getloadavg()[0]:.2f}",
              file=sys.stderr)
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)

    print("| what | case | old (ms) | new (ms) | new / old | new / old, fastest calls "
          "| new / old, CPU time |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, _, keys in jobs:
        old, new = times[(label, keys[0], "old")], times[(label, keys[0], "new")]
        mo, mn = statistics.median(old), statistics.median(new)
        cpu = ""
        if len(keys) > 1:
            co = statistics.median(times[(label, keys[1], "old")])
            cn = statistics.median(times[(label, keys[1], "new")])
            cpu = f"{cn / co:.2f}"
        print(f"| {label} | {mo:.3f} | {mn:.3f} | {mn / mo:.2f} | {min(new) / min(old):.2f} "
              f"| {cpu} |")


if __name__ == "__main__":
    main()
