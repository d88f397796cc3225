#!/usr/bin/python3
"""Compares `convscope conv1d --flip` with np.convolve (modes full, same and valid, kernels longer
than the signal included) and `convscope conv --flip --padding full` with
scipy.signal.convolve2d(mode='full') on random inputs. Needs numpy and scipy only (Debian's
/usr/bin/python3 has them). Prints one line per case and exits 1 if any case differs.

    /usr/bin/python3 docs/compare_with_numpy.py [path/to/convscope] [--seed N] [--cases N]
"""
import argparse
import random
import subprocess
import sys
import tempfile

import numpy as np
import scipy.signal


def run(exe, args):
    r = subprocess.run([exe] + args + ["--quiet"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"convscope {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")


def convolve_case(exe, tmp, rng, dtype):
    n, m = rng.randint(1, 12), rng.randint(1, 12)
    mode = rng.choice(["full", "same", "valid"])
    a = np.random.randn(n).astype(dtype)
    v = np.random.randn(m).astype(dtype)
    np.save(f"{tmp}/a.npy", a)
    np.save(f"{tmp}/v.npy", v)
    run(exe, ["conv1d", "--input", f"{tmp}/a.npy", "--weight", f"{tmp}/v.npy", "--flip",
              "--padding", mode, "--out", f"{tmp}/y.npy"])
    return f"np.convolve len {n} * len {m} mode={mode}", np.load(f"{tmp}/y.npy"), np.convolve(a, v, mode)


def convolve2d_case(exe, tmp, rng, dtype):
    h, w, kh, kw = rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 5), rng.randint(1, 5)
    a = np.random.randn(h, w).astype(dtype)
    k = np.random.randn(kh, kw).astype(dtype)
    np.save(f"{tmp}/a.npy", a)
    np.save(f"{tmp}/k.npy", k)
    run(exe, ["conv", "--input", f"{tmp}/a.npy", "--weight", f"{tmp}/k.npy", "--flip",
              "--padding", "full", "--out", f"{tmp}/y.npy"])
    return (f"scipy.signal.convolve2d {h}x{w} * {kh}x{kw} mode=full", np.load(f"{tmp}/y.npy"),
            scipy.signal.convolve2d(a, k, mode="full"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("exe", nargs="?", default="build/release/convscope")
    p.add_argument("--seed", type=int, default=20261202)
    p.add_argument("--cases", type=int, default=100)
    opts = p.parse_args()
    rng = random.Random(opts.seed)
    np.random.seed(opts.seed)
    worst = {np.float32: 0.0, np.float64: 0.0}
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(opts.cases):
            dtype = np.float32 if i % 2 == 0 else np.float64
            fn = convolve_case if i % 4 < 3 else convolve2d_case
            what, got, want = fn(opts.exe, tmp, rng, dtype)
            tol = 1e-5 if dtype == np.float32 else 1e-12
            diff = float(np.abs(got - want).max()) if got.shape == want.shape else float("inf")
            worst[dtype] = max(worst[dtype], diff)
            ok = got.shape == want.shape and diff <= tol * max(1.0, float(np.abs(want).max()))
            bad += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {np.dtype(dtype).name} {what}: shape {got.shape} "
                  f"vs {want.shape}, max |diff| {diff:.3g}")
    print(f"{opts.cases - bad}/{opts.cases} cases agree; worst |diff| float32 "
          f"{worst[np.float32]:.3g}, float64 {worst[np.float64]:.3g} (seed {opts.seed})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
