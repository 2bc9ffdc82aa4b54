"""The zoo through dyn's two frontends, side by side in one PyTorch 2
process: TorchScript (torch.jit.script) and torch.export (after the
automatic capture of Python control flow). Compile time (dyn.compile's
wall time: import + dyn-compile) and batch-1 latency of each compiled
model, with PyTorch 2 eager (MKL) in the same run; one core, one thread.

    VENV/bin/python benchmarks/frontends.py [--runs 20] [--inputs 8]
        [--models a,b] [--markdown out.md]

VENV is the torch 2 environment scripts/setup-torch2.sh makes. A model one
frontend cannot compile gets its error in the table instead of numbers.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch

import dyn
from dyn.zoo import MODELS
from zoo import batch1, percentile, pin_to_one_core, time_calls, write_table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--inputs", type=int, default=8)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--markdown")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    pin_to_one_core()

    lines = [f"torch {torch.__version__}, 1 thread; latency median / p90 in us, batch 1", "",
             "| model | eager (us) | dyn via TorchScript (us) | compile (s) "
             "| dyn via torch.export (us) | compile (s) | export / TorchScript latency |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in args.models.split(","):
        entry = MODELS[name]
        model = entry.build()
        g = torch.Generator().manual_seed(42)
        inputs = [batch1(entry, entry.sample(g)) for _ in range(args.inputs)]
        with torch.no_grad():
            eager = time_calls(model, inputs, args.runs)
        cells, medians = [], []
        for frontend in ("torchscript", "export"):
            start = time.perf_counter()
            try:
                compiled = dyn.compile(model, entry.example(), dynamic_dims=entry.dynamic_dims,
                                       frontend=frontend)
            except Exception as error:  # reported in the table
                cells += [f"fails: {type(error).__name__}: {str(error).splitlines()[0][:90]}",
                          f"{time.perf_counter() - start:.1f}"]
                medians.append(None)
                continue
            compile_s = time.perf_counter() - start
            samples = time_calls(compiled, inputs, args.runs)
            medians.append(statistics.median(samples))
            cells += [f"{medians[-1]:.1f} / {percentile(samples, 0.9):.1f}", f"{compile_s:.1f}"]
        ratio = (f"{medians[1] / medians[0]:.2f}x" if None not in medians else "")
        row = (f"| {name} | {statistics.median(eager):.1f} / {percentile(eager, 0.9):.1f} | "
               + " | ".join(cells) + f" | {ratio} |")
        lines.append(row)
        print(row, flush=True)
    write_table(lines, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
