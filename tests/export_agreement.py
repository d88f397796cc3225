#!/usr/bin/python3
"""`convscope export --to pytorch` against `convscope` itself: for random seeded invocations of
conv, conv1d, conv-transpose and pool, the exported script (run with Debian's python3-torch)
must write the numbers convscope writes, and an invocation convscope refuses must be refused by
`export` with the same sentence. Prints one line per kind and exits 1 on any difference.

    /usr/bin/python3 tests/export_agreement.py path/to/convscope [--seed N] [--cases N]

Without torch it exits 77 (ctest: skipped), or 1 under CI=1, where nothing may be skipped.
"""
import argparse
import contextlib
import io
import os
import random
import subprocess
import sys
import tempfile
import warnings

try:
    import numpy as np
    import torch  # noqa: F401  (the scripts import it; imported once here for speed)
except ImportError as e:
    if os.environ.get("CI"):
        print(f"FAIL: {e}; scripts/install-deps.sh installs python3-torch (CI must not skip)")
        sys.exit(1)
    print(f"SKIP: {e} (install python3-torch: scripts/install-deps.sh)")
    sys.exit(77)


def pair(a, b):
    return f"{a},{b}"


def save(tmp, name, array):
    path = os.path.join(tmp, name)
    np.save(path, array)
    return path


def conv_case(tmp, rng, dt):
    groups = rng.choice([1, 1, 2, 3])
    cpg, opg = rng.randint(1, 3), rng.randint(1, 3)
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    dh, dw = rng.randint(1, 2), rng.randint(1, 2)
    h, w = rng.randint(dh * (kh - 1) + 3, 11), rng.randint(dw * (kw - 1) + 3, 11)
    mode = rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
    padding = rng.choice(["int", "pair", "same", "valid", "full"])
    nhwc = rng.random() < 0.3
    keras = rng.random() < 0.15
    cin, cout = groups * cpg, groups * opg
    rank = 4 if rng.random() < 0.7 else (3 if rng.random() < 0.5 else 2)
    if rank == 2:
        cin = cout = groups = 1
    x = np.random.randn(*((2, h, w, cin) if nhwc else (2, cin, h, w))).astype(dt)
    if rank == 3:
        x = x[0]
    elif rank == 2:
        x = x[0, :, :, 0] if nhwc else x[0, 0]
    wt = np.random.randn(*((kh, kw, cin // groups, cout) if nhwc else (cout, cin // groups, kh, kw)))
    wt = wt.astype(rng.choice([dt, np.float64]))
    args = ["conv", "--input", save(tmp, "x.npy", x), "--weight", save(tmp, "w.npy", wt),
            "--stride", pair(sh, sw), "--dilation", pair(dh, dw), "--groups", str(groups),
            "--padding-mode", mode]
    if nhwc:
        args += ["--layout", "nhwc"]
    if keras:
        args += ["--framework", "keras", "--padding", rng.choice(["same", "valid"])]
    else:
        args += ["--padding", {"int": str(rng.randint(0, 2)), "pair": pair(rng.randint(0, 2), rng.randint(0, 2)),
                               "same": "same", "valid": "valid", "full": "full"}[padding]]
    if rng.random() < 0.3:
        args.append("--flip")
    if rng.random() < 0.7:
        args += ["--bias", save(tmp, "b.npy", np.random.randn(cout).astype(dt))]
    return args


def conv1d_case(tmp, rng, dt):
    if rng.random() < 0.4:  # np.convolve: two 1-D arrays, --flip, full/same/valid
        a = np.random.randn(rng.randint(1, 8)).astype(dt)
        v = np.random.randn(rng.randint(1, 8)).astype(dt)
        return ["conv1d", "--input", save(tmp, "a.npy", a), "--weight", save(tmp, "v.npy", v),
                "--flip", "--padding", rng.choice(["full", "same", "valid"])]
    groups = rng.choice([1, 1, 2])
    cpg, opg, k = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 4)
    s, d = rng.randint(1, 3), rng.randint(1, 2)
    length = rng.randint(d * (k - 1) + 3, 14)
    x = np.random.randn(2, groups * cpg, length).astype(dt)
    if rng.random() < 0.3:
        x = x[0]
    wt = np.random.randn(groups * opg, cpg, k).astype(dt)
    pad = rng.choice(["1", "2", "0", "valid", "full"] + (["same"] if s == 1 else []))
    args = ["conv1d", "--input", save(tmp, "x.npy", x), "--weight", save(tmp, "w.npy", wt),
            "--stride", str(s), "--dilation", str(d), "--groups", str(groups), "--padding", pad,
            "--padding-mode", rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])]
    if rng.random() < 0.3:
        args.append("--flip")
    if rng.random() < 0.6:
        args += ["--bias", save(tmp, "b.npy", np.random.randn(groups * opg).astype(dt))]
    return args


def transpose_case(tmp, rng, dt):
    groups = rng.choice([1, 1, 2])
    cpg, opg = rng.randint(1, 3), rng.randint(1, 3)
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    dh, dw = rng.randint(1, 2), rng.randint(1, 2)
    h, w = rng.randint(1, 6), rng.randint(1, 6)
    nhwc = rng.random() < 0.3
    keras = nhwc and groups == 1 and rng.random() < 0.4
    cin = groups * cpg
    x = np.random.randn(*((2, h, w, cin) if nhwc else (2, cin, h, w))).astype(dt)
    wt = np.random.randn(*((kh, kw, opg, cin) if nhwc else (cin, opg, kh, kw))).astype(dt)
    args = ["conv-transpose", "--input", save(tmp, "x.npy", x), "--weight", save(tmp, "w.npy", wt),
            "--stride", pair(sh, sw), "--dilation", pair(dh, dw), "--groups", str(groups)]
    if nhwc:
        args += ["--layout", "nhwc"]
    if keras:
        args += ["--framework", "keras", "--padding", rng.choice(["same", "valid"])]
    else:
        args += ["--padding", pair(rng.randint(0, 1), rng.randint(0, 1))]
    if rng.random() < 0.5:
        args += ["--output-padding", pair(rng.randint(0, max(sh, dh) - 1), rng.randint(0, max(sw, dw) - 1))]
    if rng.random() < 0.6:
        args += ["--bias", save(tmp, "b.npy", np.random.randn(groups * opg).astype(dt))]
    return args


def pool_case(tmp, rng, dt):
    op = rng.choice(["max", "avg"])
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    nhwc = rng.random() < 0.3
    h, w = rng.randint(2 * kh, 11), rng.randint(2 * kw, 11)
    x = np.random.randn(*((2, h, w, 3) if nhwc else (2, 3, h, w))).astype(dt)
    args = ["pool", "--input", save(tmp, "x.npy", x), "--op", op, "--kernel", pair(kh, kw),
            "--stride", pair(sh, sw)]
    if nhwc:
        args += ["--layout", "nhwc"]
    if rng.random() < 0.25:
        return args + ["--framework", "keras", "--padding", rng.choice(["same", "valid"])]
    args += ["--padding", pair(rng.randint(0, kh // 2), rng.randint(0, kw // 2))]
    if op == "max" and rng.random() < 0.4:
        args += ["--dilation", pair(rng.randint(1, 2), rng.randint(1, 2))]
    if rng.random() < 0.4:
        args.append("--ceil-mode")
    if op == "avg" and rng.random() < 0.5:
        args.append("--exclude-pad")
    return args


def run_script(script, cwd, subprocess_run):
    if subprocess_run:  # as a user runs it
        path = os.path.join(cwd, "layer.py")
        with open(path, "w") as f:
            f.write(script)
        r = subprocess.run(["/usr/bin/python3", path], capture_output=True, text=True, cwd=cwd)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
    else:  # the same interpreter, torch already imported
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(script, "layer.py", "exec"), {"__name__": "__main__"})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("exe")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("CONVSCOPE_SEED", 11)))
    ap.add_argument("--cases", type=int, default=25, help="cases per kind and dtype")
    opts = ap.parse_args()
    opts.exe = os.path.abspath(opts.exe)  # the cases run in a scratch directory
    warnings.filterwarnings("ignore", category=UserWarning)
    rng = random.Random(opts.seed)
    np.random.seed(opts.seed)
    failures = 0
    runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        for kind, fn in (("conv", conv_case), ("conv1d", conv1d_case),
                         ("conv-transpose", transpose_case), ("pool", pool_case)):
            agreed = refused = 0
            worst = 0.0
            for dt, tol in ((np.float32, 2e-5), (np.float64, 1e-12)):
                for case in range(opts.cases):
                    args = fn(tmp, rng, dt)
                    want_path, got_path = os.path.join(tmp, "want.npy"), os.path.join(tmp, "got.npy")
                    for p in (want_path, got_path):
                        if os.path.exists(p):
                            os.remove(p)
                    line = " ".join(args)
                    ran = subprocess.run([opts.exe] + args + ["--out", want_path, "--quiet"],
                                         capture_output=True, text=True)
                    exported = subprocess.run([opts.exe, "export", "--to", "pytorch"] + args +
                                              ["--out", got_path, "--quiet"], capture_output=True, text=True)
                    if ran.returncode != 0:
                        if exported.returncode != ran.returncode or exported.stderr != ran.stderr:
                            print(f"FAIL refusal differs (seed {opts.seed}): {line}\n  convscope: "
                                  f"{ran.stderr.strip()}\n  export:    {exported.stderr.strip()}")
                            failures += 1
                        refused += 1
                        continue
                    if exported.returncode != 0:
                        print(f"FAIL export refused what convscope computes: {line}\n  {exported.stderr.strip()}")
                        failures += 1
                        continue
                    try:
                        run_script(exported.stdout, tmp, subprocess_run=runs < 2)
                    except Exception as e:  # noqa: BLE001 (report any failure of the script)
                        print(f"FAIL the script did not run ({e}): {line}\n{exported.stdout}")
                        failures += 1
                        continue
                    runs += 1
                    want, got = np.load(want_path), np.load(got_path)
                    if got.shape != want.shape or got.dtype != want.dtype:
                        print(f"FAIL {got.dtype}{list(got.shape)} != convscope's "
                              f"{want.dtype}{list(want.shape)}: {line}")
                        failures += 1
                        continue
                    err = float(np.max(np.abs(got.astype(np.float64) - want))) if got.size else 0.0
                    scale = max(1.0, float(np.max(np.abs(want))) if want.size else 1.0)
                    worst = max(worst, err / scale)
                    if err > tol * scale:
                        print(f"FAIL max |diff| {err:.3g} (seed {opts.seed}): {line}")
                        failures += 1
                    agreed += 1
            print(f"{kind:15s} {agreed} scripts agree, {refused} refusals identical, "
                  f"worst relative difference {worst:.3g}")
    print("all exported scripts agree with convscope" if failures == 0 else f"{failures} cases differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
