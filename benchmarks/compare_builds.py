"""Two builds of dyn on the model zoo, interleaved call by call in one process.

    /usr/bin/python3 benchmarks/compare_builds.py BASE/bin/dyn-compile NEW/bin/dyn-compile
        [--runs 30] [--inputs 8] [--models a,b] [--markdown FILE]

For a change that should not move performance (a refactor), or one that
should: each zoo model is imported once and compiled by both dyn-compile
binaries; the two artifacts then run the same batch-1 inputs alternately
(base, new, new, base, ...: the one that runs second finds the input in
cache, so the order alternates), pinned to one core with one thread, so that
machine noise hits both alike. Reported: median and p90 per build and the
ratio of medians (base / new: above 1 means the new build is faster), and
both compile times.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))

import torch

import dyn
from dyn.zoo import MODELS

from zoo import batch1, percentile, pin_to_one_core, write_table


def compile_with(dyn_compile: str, model, entry):
    os.environ["DYN_COMPILE"] = dyn_compile
    start = time.perf_counter()
    compiled = dyn.compile(model, entry.example(), dynamic_dims=entry.dynamic_dims)
    return compiled, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("new")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--inputs", type=int, default=8)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--markdown")
    args = parser.parse_args()
    pin_to_one_core()

    table = ["| model | base median / p90 (us) | new median / p90 (us) | base / new | "
             "compile base / new (s) |", "| --- | --- | --- | --- | --- |"]
    for name in args.models.split(","):
        entry = MODELS[name]
        model = entry.build()
        g = torch.Generator().manual_seed(42)
        inputs = [batch1(entry, entry.sample(g)) for _ in range(args.inputs)]
        base, base_s = compile_with(args.base, model, entry)
        new, new_s = compile_with(args.new, model, entry)
        samples = {"base": [], "new": []}
        with torch.no_grad():
            for round_ in range(args.runs + 5):
                for i, x in enumerate(inputs):
                    # Whichever runs second finds the input in cache: the
                    # order alternates (ABBA), or the second build looks
                    # faster (1.6x on the transformer against itself).
                    order = (("base", base), ("new", new))
                    for key, fn in order if (round_ + i) % 2 == 0 else order[::-1]:
                        start = time.perf_counter()
                        fn(*x)
                        if round_ >= 5:  # warm-up rounds
                            samples[key].append((time.perf_counter() - start) * 1e6)
        b, n = samples["base"], samples["new"]
        row = (f"| {name} | {statistics.median(b):.1f} / {percentile(b, 0.9):.1f} | "
               f"{statistics.median(n):.1f} / {percentile(n, 0.9):.1f} | "
               f"{statistics.median(b) / statistics.median(n):.2f}x | {base_s:.1f} / {new_s:.1f} |")
        table.append(row)
        print(row, flush=True)
    write_table(table, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
