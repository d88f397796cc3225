#!/usr/bin/python3
"""Compares `convscope conv` / `convscope pool` with PyTorch (and `--flip` with SciPy) on random
inputs, for every parameter the command line takes. Needs numpy, torch and scipy (Debian's
/usr/bin/python3 has them). Prints one line per case and exits 1 if any case differs.

    /usr/bin/python3 docs/compare_with_torch.py [path/to/convscope] [--seed N] [--cases N]
                                                [--backend cpu|gpu|auto]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import scipy.signal
import torch
import torch.nn.functional as F


BACKEND = ["--backend", "cpu"]


def run(exe, args):
    if args[0] in ("conv", "pool"):
        args = args + BACKEND
    r = subprocess.run([exe] + args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"convscope {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")


def pair(a, b):
    return f"{a},{b}"


def conv_case(exe, tmp, rng, dtype):
    groups = rng.choice([1, 1, 2, 3])
    cpg, opg = rng.randint(1, 3), rng.randint(1, 3)
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    dh, dw = rng.randint(1, 2), rng.randint(1, 2)
    mode = rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
    h = rng.randint(dh * (kh - 1) + 3, 12)
    w = rng.randint(dw * (kw - 1) + 3, 12)
    ph, pw = rng.randint(0, 2), rng.randint(0, 2)
    same = mode == "zeros" and sh == 1 and sw == 1 and rng.random() < 0.3
    nhwc = rng.random() < 0.3
    bias = rng.random() < 0.7
    x = np.random.randn(2, groups * cpg, h, w).astype(dtype)
    wt = np.random.randn(groups * opg, cpg, kh, kw).astype(dtype)
    b = np.random.randn(groups * opg).astype(dtype)

    xt, wtt, bt = torch.from_numpy(x), torch.from_numpy(wt), torch.from_numpy(b) if bias else None
    if mode == "zeros":
        want = F.conv2d(xt, wtt, bt, (sh, sw), "same" if same else (ph, pw), (dh, dw), groups)
    else:  # what torch.nn.Conv2d(padding_mode=...) does
        padded = F.pad(xt, (pw, pw, ph, ph), mode=mode)
        want = F.conv2d(padded, wtt, bt, (sh, sw), 0, (dh, dw), groups)
    want = want.numpy()

    if nhwc:  # Keras order: input NHWC, weight HWIO, output NHWC
        np.save(f"{tmp}/x.npy", x.transpose(0, 2, 3, 1))
        np.save(f"{tmp}/w.npy", wt.transpose(2, 3, 1, 0))
    else:
        np.save(f"{tmp}/x.npy", x)
        np.save(f"{tmp}/w.npy", wt)
    args = ["conv", "--input", f"{tmp}/x.npy", "--weight", f"{tmp}/w.npy", "--out", f"{tmp}/y.npy",
            "--stride", pair(sh, sw), "--dilation", pair(dh, dw), "--groups", str(groups),
            "--padding", "same" if same else pair(ph, pw), "--padding-mode", mode,
            "--layout", "nhwc" if nhwc else "nchw"]
    if bias:
        np.save(f"{tmp}/b.npy", b)
        args += ["--bias", f"{tmp}/b.npy"]
    run(exe, args)
    got = np.load(f"{tmp}/y.npy")
    if nhwc:
        got = got.transpose(0, 3, 1, 2)
    return " ".join(args[7:]), got, want


def pool_case(exe, tmp, rng, dtype):
    op = rng.choice(["max", "avg"])
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    ph, pw = rng.randint(0, kh // 2), rng.randint(0, kw // 2)
    dh, dw = (rng.randint(1, 2), rng.randint(1, 2)) if op == "max" else (1, 1)
    ceil = rng.random() < 0.4
    exclude = op == "avg" and rng.random() < 0.5
    h = rng.randint(dh * (kh - 1) + 2, 11)
    w = rng.randint(dw * (kw - 1) + 2, 11)
    x = np.random.randn(2, 3, h, w).astype(dtype)
    xt = torch.from_numpy(x)
    if op == "max":
        want = F.max_pool2d(xt, (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil_mode=ceil)
    else:
        want = F.avg_pool2d(xt, (kh, kw), (sh, sw), (ph, pw), ceil_mode=ceil,
                            count_include_pad=not exclude)
    np.save(f"{tmp}/x.npy", x)
    args = ["pool", "--input", f"{tmp}/x.npy", "--out", f"{tmp}/y.npy", "--op", op,
            "--kernel", pair(kh, kw), "--stride", pair(sh, sw), "--padding", pair(ph, pw),
            "--dilation", pair(dh, dw)]
    if ceil:
        args.append("--ceil-mode")
    if exclude:
        args.append("--exclude-pad")
    run(exe, args)
    return " ".join(args[5:]), np.load(f"{tmp}/y.npy"), want.numpy()


def scipy_case(exe, tmp, rng, dtype):
    h, w = rng.randint(3, 10), rng.randint(3, 10)
    # NOTE: odd sizes only. For an even kernel SciPy's 'same' keeps the extra row/column of the
    # rotated kernel at the top/left, PyTorch's (and so convscope's) at the bottom/right.
    kh = rng.choice([k for k in (1, 3, 5) if k <= h])
    kw = rng.choice([k for k in (1, 3, 5) if k <= w])
    a = np.random.randn(h, w).astype(dtype)
    k = np.random.randn(kh, kw).astype(dtype)
    mode = rng.choice(["same", "valid"])
    np.save(f"{tmp}/a.npy", a)
    np.save(f"{tmp}/k.npy", k)
    args = ["conv", "--input", f"{tmp}/a.npy", "--weight", f"{tmp}/k.npy", "--flip",
            "--padding", mode, "--out", f"{tmp}/y.npy"]
    run(exe, args)
    return (f"scipy.signal.convolve {h}x{w} * {kh}x{kw} mode={mode}", np.load(f"{tmp}/y.npy"),
            scipy.signal.convolve(a, k, mode=mode))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("exe", nargs="?", default=os.path.join(here, "..", "build", "release", "convscope"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=40, help="cases per kind and dtype")
    ap.add_argument("--backend", default="cpu", choices=["cpu", "gpu", "auto"])
    opts = ap.parse_args()
    BACKEND[1] = opts.backend
    warnings.filterwarnings("ignore", category=UserWarning)  # torch on even kernels with 'same'
    rng = random.Random(opts.seed)
    np.random.seed(opts.seed)
    failures = 0
    worst = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, fn in (("conv", conv_case), ("pool", pool_case), ("scipy", scipy_case)):
            # float64 runs in double precision on the GPU too (GL_ARB_gpu_shader_fp64).
            for dtype, tol in ((np.float32, 1e-4), (np.float64, 1e-10)):
                for _ in range(opts.cases):
                    desc, got, want = fn(opts.exe, tmp, rng, dtype)
                    if got.shape != want.shape:
                        print(f"FAIL shape {got.shape} != {want.shape}: {desc}")
                        failures += 1
                        continue
                    err = float(np.max(np.abs(got - want))) if got.size else 0.0
                    key = (kind, np.dtype(dtype).name)
                    worst[key] = max(worst.get(key, 0.0), err)
                    if err > tol * max(1.0, float(np.max(np.abs(want))) if want.size else 1.0):
                        print(f"FAIL max |diff| {err:.3g}: {desc}")
                        failures += 1
    for (kind, dt), err in sorted(worst.items()):
        print(f"{kind:6s} {dt:8s} {opts.cases} cases, max |convscope - reference| = {err:.3g}")
    print("all cases agree" if failures == 0 else f"{failures} cases differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
