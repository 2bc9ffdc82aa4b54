"""Batch-1 latency of the dynamic model zoo: dyn vs PyTorch eager vs
TorchScript, measured in one process, pinned to one core with one thread.

    /usr/bin/python3 benchmarks/zoo.py [--runs 30] [--inputs 8] [--models a,b]
        [--markdown docs/benchmarks-zoo.md] [--plot docs/benchmarks-zoo.png]

Each system runs the same inputs (random, seeded, batch 1, taking different
paths) in the same order; every call is timed on its own; median and p90 are
over all calls after warm-up. Compile time is dyn.compile's wall time
(TorchScript import + dyn-compile).
"""

from __future__ import annotations

import os

# Pin before torch/OpenBLAS start their thread pools.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))

import torch

import dyn
from dyn.zoo import MODELS


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def write_table(lines: list[str], markdown: str | None) -> None:
    """Prints a results table and writes it to `markdown` when given."""
    text = "\n".join(lines)
    print(text)
    if markdown:
        Path(markdown).write_text(text + "\n")


def pin_to_one_core() -> None:
    """One core, one thread (the environment pins the BLAS pools at import)."""
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    torch.set_num_threads(1)


def time_calls(fn, inputs: list, runs: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        for args in inputs:
            fn(*args)
    samples = []
    for _ in range(runs):
        for args in inputs:
            start = time.perf_counter()
            fn(*args)
            samples.append((time.perf_counter() - start) * 1e6)
    return samples


def batch1(entry, args: list) -> list:
    if entry.batch_dim is None:
        return args
    return [a.narrow(entry.batch_dim, 0, 1).contiguous() if isinstance(a, torch.Tensor) else a
            for a in args]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--inputs", type=int, default=8)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--markdown")
    parser.add_argument("--plot")
    args = parser.parse_args()
    pin_to_one_core()

    rows = []
    for name in args.models.split(","):
        entry = MODELS[name]
        model = entry.build()
        g = torch.Generator().manual_seed(42)
        inputs = [batch1(entry, entry.sample(g)) for _ in range(args.inputs)]
        start = time.perf_counter()
        compiled = dyn.compile(model, entry.example(), dynamic_dims=entry.dynamic_dims)
        compile_s = time.perf_counter() - start
        scripted = torch.jit.freeze(torch.jit.script(model))
        with torch.no_grad():
            eager = time_calls(model, inputs, args.runs)
            script = time_calls(scripted, inputs, args.runs)
            ours = time_calls(compiled, inputs, args.runs)
        row = {
            "model": name, "compile_s": compile_s,
            "eager": (statistics.median(eager), percentile(eager, 0.9)),
            "torchscript": (statistics.median(script), percentile(script, 0.9)),
            "dyn": (statistics.median(ours), percentile(ours, 0.9)),
            "calls": len(ours),
        }
        rows.append(row)
        print(f"{name}: dyn {row['dyn'][0]:.1f} us, eager {row['eager'][0]:.1f} us, "
              f"TorchScript {row['torchscript'][0]:.1f} us, compile {compile_s:.1f} s", flush=True)

    table = ["| model | dyn median / p90 (us) | eager median / p90 (us) | TorchScript median / p90 (us) "
             "| eager / dyn | TorchScript / dyn | dyn compile (s) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        table.append(
            f"| {r['model']} | {r['dyn'][0]:.1f} / {r['dyn'][1]:.1f} | "
            f"{r['eager'][0]:.1f} / {r['eager'][1]:.1f} | "
            f"{r['torchscript'][0]:.1f} / {r['torchscript'][1]:.1f} | "
            f"{r['eager'][0] / r['dyn'][0]:.2f}x | {r['torchscript'][0] / r['dyn'][0]:.2f}x | "
            f"{r['compile_s']:.1f} |")
    write_table(table, args.markdown)
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        names = [r["model"] for r in rows]
        x = range(len(names))
        fig, ax = plt.subplots(figsize=(9, 4))
        for i, (key, label) in enumerate((("eager", "PyTorch eager"), ("torchscript", "TorchScript"),
                                          ("dyn", "dyn"))):
            ax.bar([p + (i - 1) * 0.27 for p in x], [r[key][0] for r in rows], width=0.27, label=label)
        ax.set_xticks(list(x), names)
        ax.set_yscale("log")
        ax.set_ylabel("batch-1 latency, median (us, log scale)")
        ax.set_title("Dynamic model zoo: dyn vs PyTorch 1.13 (1 thread, pinned)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
