"""Runs a compiled library on recorded inputs and compares its outputs with
the outputs recorded beside them (PyTorch eager's, from
utils/torch-mlir/export.py).

usage: check-recorded.py LIB.so CASES.npz [--entry NAME]

CASES.npz holds case<i>_in<j> and case<i>_out<j> arrays. Tolerances are
check.py's. Prints one line per case and exits non-zero on a mismatch.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import dyn
from check import close


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("library")
    parser.add_argument("cases")
    parser.add_argument("--entry", default="main")
    args = parser.parse_args()
    entry = dyn.load(args.library).entries[args.entry]
    recorded = np.load(args.cases)
    count = 1 + max(int(k[4:k.index("_")]) for k in recorded.files)
    for i in range(count):
        inputs = [recorded[f"case{i}_in{j}"] for j in range(len(recorded.files))
                  if f"case{i}_in{j}" in recorded.files]
        want = [recorded[f"case{i}_out{j}"] for j in range(len(recorded.files))
                if f"case{i}_out{j}" in recorded.files]
        got = entry(*inputs)
        if len(got) != len(want):
            print(f"case {i}: {len(got)} outputs, recorded {len(want)}")
            return 1
        for j, (g, w) in enumerate(zip(got, want)):
            if not close(g, w):
                print(f"case {i}: MISMATCH in output {j}:\n  got  {g!r}\n  want {w!r}")
                return 1
        shapes = " ".join("x".join(map(str, a.shape)) or "scalar" for a in inputs)
        print(f"case {i} ({shapes}): ok")
    print(f"{count} cases ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
