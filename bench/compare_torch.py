#!/usr/bin/python3
"""PyTorch's CPU conv2d next to ConvScope's fast path, in one run, as a markdown table.

Times torch.nn.functional.conv2d (torch.set_num_threads(THREADS), float32, warm-up, median of
--runs single calls) and ours (bench/conv2d_bench with --benchmark_format=json: BM_fast is the
kernel cs::detail::conv2d_fast on preallocated buffers, BM_conv2d the public cs::conv2d with
validation and output allocation; median over --runs repetitions) on the issue's five cases.
The two sides alternate for --rounds rounds so that a busy machine slows both alike.
With --trace it also prints the trace recording cost (conv2d_trace vs conv2d, one process per
case so each peak RSS is that case's own).

Needs /usr/bin/python3 (Debian's python3-torch). Usage:
  /usr/bin/python3 bench/compare_torch.py --bench build/release/bench/conv2d_bench [--trace]
"""
import argparse
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
TRACE_CASES = ["1×3×256×256 → 16, 3×3, pad 1", "1×3×1080×1920 → 16, 3×3, pad 1"]


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


def time_torch(threads, runs, warmup):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    medians = []
    with torch.no_grad():
        for _, xs, ws, stride, pad in CASES:
            x = torch.randn(xs, dtype=torch.float32)
            w = torch.randn(ws, dtype=torch.float32)
            b = torch.randn(ws[0], dtype=torch.float32)
            for _ in range(warmup):
                F.conv2d(x, w, b, stride=stride, padding=pad)
            samples = []
            for _ in range(runs):
                t0 = time.perf_counter()
                F.conv2d(x, w, b, stride=stride, padding=pad)
                samples.append((time.perf_counter() - t0) * 1e3)
            medians.append(samples)
    return medians


def run_bench(bench, bench_filter, repetitions, min_time):
    cmd = [bench, f"--benchmark_filter={bench_filter}", "--benchmark_format=json",
           f"--benchmark_repetitions={repetitions}", f"--benchmark_min_time={min_time}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out)["benchmarks"]


def time_ours(bench, threads, runs, min_time):
    """{(name, case): [per-repetition ms]} for BM_fast and BM_conv2d at `threads`."""
    samples = {}
    rows = run_bench(bench, f"^BM_(fast|conv2d)/case:[0-9]+/threads:{threads}/", runs, min_time)
    for row in rows:
        if row.get("run_type") != "iteration":
            continue
        name = row["run_name"].split("/")[0]
        case = int(row["run_name"].split("/")[1].split(":")[1])
        assert row["time_unit"] == "ms"
        samples.setdefault((name, case), []).append(row["real_time"])
    return samples


def trace_table(bench, min_time):
    lines = ["| case (float32) | conv2d_fast kernel (ms) | cs::conv2d (ms) | cs::conv2d_trace (ms) "
             "| trace / conv2d | trace / kernel | peak RSS conv2d (MiB) | peak RSS trace (MiB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for i, label in enumerate(TRACE_CASES):
        res = {}
        for name in ("BM_trace_kernel", "BM_trace_plain", "BM_trace_record"):
            rows = run_bench(bench, f"^{name}/case:{i}/", 5, min_time)
            times = [r["real_time"] for r in rows if r.get("run_type") == "iteration"]
            rss = max(r["peak_rss_MiB"] for r in rows if r.get("run_type") == "iteration")
            res[name] = (statistics.median(times), rss)
        kernel = res["BM_trace_kernel"][0]
        plain, trace = res["BM_trace_plain"], res["BM_trace_record"]
        lines.append(f"| {label} | {kernel:.2f} | {plain[0]:.2f} | {trace[0]:.2f} "
                     f"| {trace[0] / plain[0]:.2f}× | {trace[0] / kernel:.2f}× "
                     f"| {plain[1]:.0f} | {trace[1]:.0f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default="build/release/bench/conv2d_bench",
                    help="path to the conv2d_bench binary")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=9, help="timed calls (torch) / repetitions (ours)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2, help="alternating torch/ours rounds")
    ap.add_argument("--min-time", type=float, default=0.2,
                    help="Google Benchmark seconds per repetition")
    ap.add_argument("--trace", action="store_true", help="also print the trace-cost table")
    args = ap.parse_args()
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"no benchmark binary at {args.bench}: build the conv2d_bench target first")

    import torch

    model, cpus = machine()
    load_before = os.getloadavg()[0]
    torch_samples = [[] for _ in CASES]
    ours = {}
    for _ in range(args.rounds):
        for i, s in enumerate(time_torch(args.threads, args.runs, args.warmup)):
            torch_samples[i].extend(s)
        for key, s in time_ours(args.bench, args.threads, args.runs, args.min_time).items():
            ours.setdefault(key, []).extend(s)
    load_after = os.getloadavg()[0]

    print(f"Machine: {model}, {cpus} CPUs; Python {platform.python_version()}, torch "
          f"{torch.__version__} (MKL-DNN {torch.backends.mkldnn.is_available()}); "
          f"{args.threads} threads; load average {load_before:.1f} before, {load_after:.1f} after.")
    print(f"Medians over {args.rounds} alternating rounds: torch of {args.rounds * args.runs} "
          f"single calls after {args.warmup} warm-up calls; ours of {args.rounds * args.runs} "
          f"Google Benchmark repetitions (each the mean of the calls in {args.min_time} s).\n")
    print("| case (float32) | PyTorch F.conv2d (ms) | ours conv2d_fast (ms) | torch / ours "
          "| ours cs::conv2d (ms) | torch / ours |")
    print("|---|---:|---:|---:|---:|---:|")
    for i, (label, *_rest) in enumerate(CASES):
        t = statistics.median(torch_samples[i])
        fast = statistics.median(ours[("BM_fast", i)])
        api = statistics.median(ours[("BM_conv2d", i)])
        print(f"| {label} | {t:.3f} | {fast:.3f} | {t / fast:.2f}× | {api:.3f} | {t / api:.2f}× |")
    if args.trace:
        print("\nTrace recording cost (all hardware threads; one process per row):\n")
        print(trace_table(args.bench, args.min_time))


if __name__ == "__main__":
    main()
