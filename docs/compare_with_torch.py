#!/usr/bin/python3
"""Compares `convscope conv`, `pool`, `conv-transpose` and `conv1d` with PyTorch (`--flip` with
SciPy, `conv1d --flip` on 1-D arrays with np.convolve's full/same/valid) on random inputs, in
float32 and float64, for every parameter the command line takes. Needs numpy, torch and scipy
(Debian's python3-torch and python3-scipy; scripts/install-deps.sh installs them). Prints a
FAIL line per differing case and a summary per kind, and exits 1 if any case differs. Seeded:
`--seed N` (or CONVSCOPE_SEED) replays a run. Registered in ctest as `torch_agreement`.
Without torch or scipy it exits 77 (ctest: skipped), but 1 under CI=1, where nothing may skip.

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

try:
    import numpy as np
    import scipy.signal
    import torch
    import torch.nn.functional as F
except ImportError as e:
    if os.environ.get("CI"):
        print(f"FAIL: {e}; scripts/install-deps.sh installs python3-torch and python3-scipy "
              "(CI must not skip this comparison)")
        sys.exit(1)
    print(f"SKIP: {e} (install python3-torch and python3-scipy: scripts/install-deps.sh)")
    sys.exit(77)


BACKEND = ["--backend", "cpu"]


def run(exe, args):
    if args[0] in ("conv", "pool", "conv1d"):
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


def transpose_case(exe, tmp, rng, dtype):
    groups = rng.choice([1, 1, 2, 3])
    cpg, opg = rng.randint(1, 3), rng.randint(1, 3)
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    dh, dw = rng.randint(1, 2), rng.randint(1, 2)
    h, w = rng.randint(1, 7), rng.randint(1, 7)
    ph = rng.randint(0, dh * (kh - 1) // 2)  # at most half the span: the output keeps a row
    pw = rng.randint(0, dw * (kw - 1) // 2)
    oph = rng.randint(0, max(sh, dh) - 1)
    opw = rng.randint(0, max(sw, dw) - 1)
    nhwc = rng.random() < 0.3
    bias = rng.random() < 0.7
    x = np.random.randn(2, groups * cpg, h, w).astype(dtype)
    wt = np.random.randn(groups * cpg, opg, kh, kw).astype(dtype)
    b = np.random.randn(groups * opg).astype(dtype)
    want = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(wt),
                              torch.from_numpy(b) if bias else None, (sh, sw), (ph, pw),
                              (oph, opw), groups, (dh, dw)).numpy()
    if nhwc:  # Keras's order: input NHWC, kernel [KH, KW, C_out/groups, C_in], output NHWC
        np.save(f"{tmp}/x.npy", x.transpose(0, 2, 3, 1))
        np.save(f"{tmp}/w.npy", wt.transpose(2, 3, 1, 0))
    else:
        np.save(f"{tmp}/x.npy", x)
        np.save(f"{tmp}/w.npy", wt)
    args = ["conv-transpose", "--input", f"{tmp}/x.npy", "--weight", f"{tmp}/w.npy", "--out",
            f"{tmp}/y.npy", "--stride", pair(sh, sw), "--padding", pair(ph, pw),
            "--output-padding", pair(oph, opw), "--dilation", pair(dh, dw), "--groups",
            str(groups), "--layout", "nhwc" if nhwc else "nchw"]
    if bias:
        np.save(f"{tmp}/b.npy", b)
        args += ["--bias", f"{tmp}/b.npy"]
    run(exe, args)
    got = np.load(f"{tmp}/y.npy")
    if nhwc:
        got = got.transpose(0, 3, 1, 2)
    return " ".join(args[7:]), got, want


def conv1d_case(exe, tmp, rng, dtype):
    groups = rng.choice([1, 1, 2, 3])
    cpg, opg, k = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 5)
    s, d = rng.randint(1, 3), rng.randint(1, 2)
    length = rng.randint(d * (k - 1) + 3, 16)
    mode = rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
    p = rng.randint(0, 2)
    same = s == 1 and rng.random() < 0.3
    bias = rng.random() < 0.7
    x = np.random.randn(2, groups * cpg, length).astype(dtype)
    wt = np.random.randn(groups * opg, cpg, k).astype(dtype)
    b = np.random.randn(groups * opg).astype(dtype)
    layer = torch.nn.Conv1d(groups * cpg, groups * opg, k, s, "same" if same else p, d, groups,
                            bias, mode, dtype=torch.from_numpy(x).dtype)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(wt))
        if bias:
            layer.bias.copy_(torch.from_numpy(b))
        want = layer(torch.from_numpy(x)).numpy()
    np.save(f"{tmp}/x.npy", x)
    np.save(f"{tmp}/w.npy", wt)
    args = ["conv1d", "--input", f"{tmp}/x.npy", "--weight", f"{tmp}/w.npy", "--out",
            f"{tmp}/y.npy", "--stride", str(s), "--padding", "same" if same else str(p),
            "--dilation", str(d), "--groups", str(groups), "--padding-mode", mode]
    if bias:
        np.save(f"{tmp}/b.npy", b)
        args += ["--bias", f"{tmp}/b.npy"]
    run(exe, args)
    return " ".join(args[7:]), np.load(f"{tmp}/y.npy"), want


def np_convolve_case(exe, tmp, rng, dtype):
    # Lengths 1..8 each way: NumPy swaps a kernel longer than the signal, and 'same' of an even
    # kernel takes the full result from index (K - 1) // 2.
    a = np.random.randn(rng.randint(1, 8)).astype(dtype)
    v = np.random.randn(rng.randint(1, 8)).astype(dtype)
    mode = rng.choice(["full", "same", "valid"])
    np.save(f"{tmp}/a.npy", a)
    np.save(f"{tmp}/v.npy", v)
    args = ["conv1d", "--input", f"{tmp}/a.npy", "--weight", f"{tmp}/v.npy", "--flip",
            "--padding", mode, "--out", f"{tmp}/y.npy", "--quiet"]
    run(exe, args)
    return (f"np.convolve(a[{a.size}], v[{v.size}], {mode!r})", np.load(f"{tmp}/y.npy"),
            np.convolve(a, v, mode))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("exe", nargs="?", default=os.path.join(here, "..", "build", "release", "convscope"))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("CONVSCOPE_SEED", 1)))
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
        kinds = (("conv", conv_case), ("pool", pool_case), ("scipy", scipy_case),
                 ("conv-transpose", transpose_case), ("conv1d", conv1d_case),
                 ("np.convolve", np_convolve_case))
        for kind, fn in kinds:
            # float64 runs in double precision on the GPU too (GL_ARB_gpu_shader_fp64).
            for dtype, tol in ((np.float32, 1e-4), (np.float64, 1e-10)):
                for _ in range(opts.cases):
                    desc, got, want = fn(opts.exe, tmp, rng, dtype)
                    if got.dtype != want.dtype:
                        print(f"FAIL dtype {got.dtype} != {want.dtype} (seed {opts.seed}): {desc}")
                        failures += 1
                        continue
                    if got.shape != want.shape:
                        print(f"FAIL shape {got.shape} != {want.shape} (seed {opts.seed}): {desc}")
                        failures += 1
                        continue
                    err = float(np.max(np.abs(got - want))) if got.size else 0.0
                    key = (kind, np.dtype(dtype).name)
                    worst[key] = max(worst.get(key, 0.0), err)
                    if err > tol * max(1.0, float(np.max(np.abs(want))) if want.size else 1.0):
                        print(f"FAIL max |diff| {err:.3g} (seed {opts.seed}): {desc}")
                        failures += 1
    for (kind, dt), err in sorted(worst.items()):
        print(f"{kind:14s} {dt:8s} {opts.cases} cases, max |convscope - reference| = {err:.3g}")
    print("all cases agree" if failures == 0 else f"{failures} cases differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
