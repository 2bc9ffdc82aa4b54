"""Measures dyn's host dispatch overhead with dyn-run (C++ timing, pinned to
one core): per loop iteration (predicate + subnet call + result buffer) and
per branch decision, on benchmarks/dispatch_overhead.mlir.

usage: dispatch_overhead.py BUILD_DIR   (prints a markdown table)
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def time_us(dyn_run: Path, library: Path, entry: str, inputs: list[Path]) -> tuple[float, float]:
    cmd = ["taskset", "-c", "0", str(dyn_run), str(library), "--entry", entry,
           "--repeat", "300", "--warmup", "30", "--quiet"]
    for i in inputs:
        cmd += ["--input", str(i)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    m = re.search(r"median ([0-9.]+) us, p90 ([0-9.]+) us", out)
    assert m, out
    return float(m.group(1)), float(m.group(2))


def main() -> int:
    build = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        lib = t / "dispatch.so"
        subprocess.run([str(build / "bin" / "dyn-compile"), str(HERE / "dispatch_overhead.mlir"),
                        "-o", str(lib)], check=True)
        np.save(t / "x.npy", np.zeros(1, np.float32))
        np.save(t / "p.npy", np.array(True))
        for n in (0, 1000):
            np.save(t / f"n{n}.npy", np.array(n, np.int64))
        run = build / "bin" / "dyn-run"
        loop0 = time_us(run, lib, "loop", [t / "x.npy", t / "n0.npy"])
        loop1k = time_us(run, lib, "loop", [t / "x.npy", t / "n1000.npy"])
        branch = time_us(run, lib, "branch", [t / "x.npy", t / "p.npy"])
        lb0 = time_us(run, lib, "loop_branch", [t / "x.npy", t / "n0.npy"])
        lb1k = time_us(run, lib, "loop_branch", [t / "x.npy", t / "n1000.npy"])
        straight = time_us(run, lib, "straight", [t / "x.npy"])
    per_iter_ns = (loop1k[0] - loop0[0]) / 1000 * 1000
    print("| measurement | median | p90 |")
    print("| --- | --- | --- |")
    print(f"| `loop`, 0 iterations (entry + ABI checks) | {loop0[0]:.2f} us | {loop0[1]:.2f} us |")
    print(f"| `loop`, 1000 iterations | {loop1k[0]:.1f} us | {loop1k[1]:.1f} us |")
    print(f"| **per iteration** (predicate + subnet call + 4-byte result buffer) | **{per_iter_ns:.0f} ns** | |")
    print(f"| `straight` (one subnet call, no decision) | {straight[0]:.2f} us | {straight[1]:.2f} us |")
    print(f"| `branch` (decision + the same call) | {branch[0]:.2f} us | {branch[1]:.2f} us |")
    per_branch_ns = (lb1k[0] - lb0[0]) / 1000 * 1000
    print(f"| `loop_branch`, 1000 iterations (each also picks one of two subnets) | {lb1k[0]:.1f} us | {lb1k[1]:.1f} us |")
    print(f"| **per branch decision** (loop_branch - loop, per iteration) | **{per_branch_ns - per_iter_ns:.0f} ns** | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
