#!/usr/bin/python3
"""PyTorch's CPU conv2d next to ConvScope's fast path, in one run, as a markdown table.

Times single calls of torch.nn.functional.conv2d (torch.set_num_threads(THREADS), float32, after
warm-up) and of ours (bench/conv2d_bench's sample mode: the kernel cs::detail::conv2d_fast on
preallocated buffers, and the public cs::conv2d) on the issue's five cases, and prints the median
and the minimum of each. The sides alternate for --rounds rounds so that a busy machine slows
both alike; the minimum shows what each does when it gets the cores.
With --trace it also prints the trace recording cost (conv2d_trace vs conv2d, one process per
case so each peak RSS is that case's own).

Needs /usr/bin/python3 (Debian's python3-torch). Usage:
  /usr/bin/python3 bench/compare_torch.py --bench build/release/bench/conv2d_bench [--cpu] [--trace]
"""
import argparse
import atexit
import json
import os
import platform
import statistics
import subprocess
import sys
import time

# (label, input NCHW, weight OIHW, stride, padding); the order matches kCases in conv2d_bench.cpp.
CASES = [
    ("1×3×1080×1920 → 3, 3×3, pad 1", (1, 3, 1080, 1920), (3, 3, 3, 3), 1, 1),
    ("1×3×2160×3840 → 3, 3×3, pad 1", (1, 3, 2160, 3840), (3, 3, 3, 3), 1, 1),
    ("1×3×224×224 → 64, 7×7, stride 2, pad 3", (1, 3, 224, 224), (64, 3, 7, 7), 2, 3),
    ("1×64×56×56 → 64, 3×3, pad 1", (1, 64, 56, 56), (64, 64, 3, 3), 1, 1),
    ("1×1×512×512 → 1, 11×11, pad 5", (1, 1, 512, 512), (1, 1, 11, 11), 1, 5),
]
TRACE_CASES = ["1×3×256×256 → 16, 3×3, pad 1", "1×3×1080×1920 → 16, 3×3, pad 1"] + [
    label for label, *_rest in CASES]


def set_autogroup_nice(value):
    """Sets this session's scheduler autogroup nice (plain nice does not count across sessions
    when sched_autogroup is on) and puts the old value back when the script exits."""
    path = "/proc/self/autogroup"
    try:
        with open(path) as f:
            old = int(f.read().split("nice")[1])
        with open(path, "w") as f:
            f.write(str(value))
    except (OSError, IndexError, ValueError) as e:
        sys.exit(f"cannot set the autogroup nice through {path}: {e}")

    def restore():
        with open(path, "w") as f:
            f.write(str(old))

    atexit.register(restore)


def machine():
    model = "unknown"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return model, os.cpu_count()


def torch_case(case, threads, runs, warmup, cpu=False):
    """Per-call milliseconds of F.conv2d on one case (fresh random operands, float32): wall time,
    or with cpu=True the calling thread's CPU time (all of it when threads == 1)."""
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    _, xs, ws, stride, pad = case
    x = torch.randn(xs, dtype=torch.float32)
    w = torch.randn(ws, dtype=torch.float32)
    b = torch.randn(ws[0], dtype=torch.float32)
    samples = []
    with torch.no_grad():
        for _ in range(warmup):
            F.conv2d(x, w, b, stride=stride, padding=pad)
        clock = time.thread_time if cpu else time.perf_counter
        for _ in range(runs):
            t0 = clock()
            F.conv2d(x, w, b, stride=stride, padding=pad)
            samples.append((clock() - t0) * 1e3)
    return samples


def ours_case(bench, index, threads, runs, api, cpu=False):
    """Per-call milliseconds from conv2d_bench's sample mode (3 warm-up calls inside): wall time,
    or with cpu=True the calling thread's CPU time."""
    cmd = [bench, f"--samples={runs}", f"--case={index}", f"--threads={threads}"]
    if api:
        cmd.append("--api")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out)["cpu_ms" if cpu else "ms"]


def run_bench(bench, bench_filter, repetitions, min_time):
    cmd = [bench, f"--benchmark_filter={bench_filter}", "--benchmark_format=json",
           f"--benchmark_repetitions={repetitions}", f"--benchmark_min_time={min_time}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out)["benchmarks"]


def trace_table(bench, min_time, samples=40):
    """The trace's recording cost: cs::conv2d and cs::conv2d_trace called alternately in one
    process (the ratio both see under the same load), plus Google Benchmark's medians from one
    process per function (for each call's own peak RSS)."""
    lines = ["| case (float32) | cs::conv2d (ms) | cs::conv2d_trace (ms) | trace / conv2d "
             "| trace / conv2d, best calls | separate processes: trace / conv2d "
             "| peak RSS conv2d (MiB) | peak RSS trace (MiB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for i, label in enumerate(TRACE_CASES):
        cmd = [bench, f"--trace-samples={samples}", f"--case={i}"]
        pair = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        plain_ms, trace_ms = pair["conv2d_ms"], pair["trace_ms"]
        res = {}
        for name in ("BM_trace_plain", "BM_trace_record"):
            rows = run_bench(bench, f"^{name}/case:{i}/", 5, min_time)
            times = [r["real_time"] for r in rows if r.get("run_type") == "iteration"]
            rss = max(r["peak_rss_MiB"] for r in rows if r.get("run_type") == "iteration")
            res[name] = (statistics.median(times), rss)
        plain, trace = res["BM_trace_plain"], res["BM_trace_record"]
        p_med, t_med = statistics.median(plain_ms), statistics.median(trace_ms)
        lines.append(f"| {label} | {p_med:.2f} | {t_med:.2f} | {t_med / p_med:.2f}× "
                     f"| {min(trace_ms) / min(plain_ms):.2f}× | {trace[0] / plain[0]:.2f}× "
                     f"| {plain[1]:.0f} | {trace[1]:.0f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default="build/release/bench/conv2d_bench",
                    help="path to the conv2d_bench binary")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10, help="timed calls per side per round")
    ap.add_argument("--rounds", type=int, default=3, help="alternating torch/ours rounds")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=0.2,
                    help="Google Benchmark seconds per repetition (trace table)")
    ap.add_argument("--cpu", action="store_true",
                    help="also print a one-thread CPU-time table (robust on a busy machine)")
    ap.add_argument("--trace", action="store_true", help="also print the trace-cost table")
    ap.add_argument("--autogroup-nice", type=int, default=None,
                    help="Linux: run at this autogroup nice (e.g. -15; root) and restore it at "
                         "exit, so other sessions' builds do not take the cores mid-measurement")
    args = ap.parse_args()
    if args.autogroup_nice is not None:
        set_autogroup_nice(args.autogroup_nice)
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"no benchmark binary at {args.bench}: build the conv2d_bench target first")

    import torch

    model, cpus = machine()
    load_before = os.getloadavg()
    samples = {(side, i): [] for side in ("torch", "fast", "api") for i in range(len(CASES))}
    for _ in range(args.rounds):
        for i, case in enumerate(CASES):
            samples[("torch", i)] += torch_case(case, args.threads, args.runs, args.warmup)
            # PyTorch's idle OpenMP workers keep spinning for a while after the last call and
            # would take a core from our process: let them go to sleep first.
            time.sleep(1.0)
            samples[("fast", i)] += ours_case(args.bench, i, args.threads, args.runs, False)
            samples[("api", i)] += ours_case(args.bench, i, args.threads, args.runs, True)
    load_after = os.getloadavg()

    n = args.rounds * args.runs
    with open("/proc/self/autogroup") as f:
        autogroup = f.read().strip()
    print(f"Machine: {model}, {cpus} CPUs; Python {platform.python_version()}, torch "
          f"{torch.__version__} (MKL-DNN {torch.backends.mkldnn.is_available()}); "
          f"{args.threads} threads; float32; scheduler {autogroup}. Load average (1/5/15 min) "
          f"{'/'.join(f'{x:.1f}' for x in load_before)} before, "
          f"{'/'.join(f'{x:.1f}' for x in load_after)} after.")
    print(f"Per-call times in ms, {n} calls per side ({args.rounds} alternating rounds of "
          f"{args.runs} after {args.warmup} warm-up calls): median (min). 'kernel' is "
          f"cs::detail::conv2d_fast on preallocated buffers, 'cs::conv2d' the public call "
          f"(validation, copies, output allocation). Ratio = torch / ours (> 1: ours faster).\n")
    print("| case | PyTorch F.conv2d | ours: kernel | torch / kernel | ours: cs::conv2d "
          "| torch / cs::conv2d |")
    print("|---|---:|---:|---:|---:|---:|")
    for i, (label, *_rest) in enumerate(CASES):
        t, f, a = (samples[(side, i)] for side in ("torch", "fast", "api"))
        tm, fm, am = statistics.median(t), statistics.median(f), statistics.median(a)
        print(f"| {label} | {tm:.3f} ({min(t):.3f}) | {fm:.3f} ({min(f):.3f}) "
              f"| {tm / fm:.2f}× ({min(t) / min(f):.2f}×) | {am:.3f} ({min(a):.3f}) "
              f"| {tm / am:.2f}× ({min(t) / min(a):.2f}×) |")
    if args.cpu:
        print("\nOne thread, CPU time of the calling thread per call in ms (not disturbed by "
              f"other processes the way wall time is): median (min) of {n} calls.\n")
        print("| case | PyTorch F.conv2d | ours: kernel | torch / kernel |")
        print("|---|---:|---:|---:|")
        cpu = {(side, i): [] for side in ("torch", "fast") for i in range(len(CASES))}
        for _ in range(args.rounds):
            for i, case in enumerate(CASES):
                cpu[("torch", i)] += torch_case(case, 1, args.runs, args.warmup, cpu=True)
                time.sleep(1.0)
                cpu[("fast", i)] += ours_case(args.bench, i, 1, args.runs, False, cpu=True)
        for i, (label, *_rest) in enumerate(CASES):
            t, f = cpu[("torch", i)], cpu[("fast", i)]
            tm, fm = statistics.median(t), statistics.median(f)
            print(f"| {label} | {tm:.3f} ({min(t):.3f}) | {fm:.3f} ({min(f):.3f}) "
                  f"| {tm / fm:.2f}× ({min(t) / min(f):.2f}×) |")
    if args.trace:
        print("\nTrace recording cost (all hardware threads, float32): cs::conv2d and "
              "cs::conv2d_trace alternating in one process, 40 calls each after 3 warm-up pairs, "
              "median and best call; then Google Benchmark medians of 5 repetitions with one "
              "process per function, whose peak RSS is that call's own:\n")
        print(trace_table(args.bench, args.min_time))


if __name__ == "__main__":
    main()
