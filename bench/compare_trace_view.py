#!/usr/bin/python3
"""Two builds of bench/trace_view_bench against each other, in one run, as a markdown table.

Runs the old and the new binary alternately (old, new, new, old, ...: a machine getting busier or
quieter weighs on both alike), each with --benchmark_repetitions, and prints per benchmark the
median CPU time per iteration of each build (all repetitions of all rounds) and new / old
(below 1: the new build is faster). CPU time, not wall time: the machine's 2 cores are shared.

Usage:
  bench/compare_trace_view.py --old OLD/trace_view_bench --new NEW/trace_view_bench [--rounds 3]
"""
import argparse
import collections
import json
import statistics
import subprocess


def run(binary, min_time, repetitions):
    out = subprocess.run([binary, f"--benchmark_min_time={min_time}",
                          f"--benchmark_repetitions={repetitions}", "--benchmark_format=json"],
                         capture_output=True, text=True, check=True).stdout
    return [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True, help="trace_view_bench built at the old commit")
    ap.add_argument("--new", required=True, help="trace_view_bench built at the new commit")
    ap.add_argument("--rounds", type=int, default=3, help="processes per build")
    ap.add_argument("--min-time", default="0.3", help="--benchmark_min_time per benchmark")
    ap.add_argument("--repetitions", type=int, default=3)
    a = ap.parse_args()
    cpu = collections.defaultdict(lambda: collections.defaultdict(list))
    labels = {}
    order = []
    for r in range(a.rounds):
        for build in (["old", "new"] if r % 2 == 0 else ["new", "old"]):
            for b in run(a.old if build == "old" else a.new, a.min_time, a.repetitions):
                name = b["run_name"]
                if name not in labels:
                    order.append(name)
                    labels[name] = b.get("label", "")
                cpu[name][build].append(b["cpu_time"] / 1000.0)  # ns => µs
    print("| benchmark | case | old (µs CPU) | new (µs CPU) | new / old |")
    print("|---|---|---:|---:|---:|")
    for name in order:
        old, new = statistics.median(cpu[name]["old"]), statistics.median(cpu[name]["new"])
        print(f"| {name.split('/')[0]} | {labels[name]} | {old:.2f} | {new:.2f} | {new / old:.2f}× |")


if __name__ == "__main__":
    main()
