"""Per-sample control flow in a batch: dyn's batched branches against the
ways to run such a model today, at batch 1, 8 and 32.

    VENV/bin/python benchmarks/batched.py [--threads 1] [--runs 30]
        [--inputs 4] [--batches 1,8,32] [--models skipnet,moe]
        [--frontend torchscript|export] [--markdown out.md] [--json out.json]

The models are dyn.zoo.batched's: every sample of a batch takes its own
branches, written `torch.where(mask[:, None, ...], block(x), x)`. Systems,
all from the same module (same weights), run the same random batches
interleaved (peers.py's timing: rounds rotate the order, each call timed
alone, median and p90 over every timed call, threads pinned):

- dyn batched: dyn.compile(module): each block runs once on the samples
  that take it (dyn-raise-batch-selects, dyn-lower-batch-branches);
- dyn masked: dyn.compile(module, batch_selects=False): every block on
  every sample, the select keeps rows (what the module says literally);
- dyn batch-1 loop: the compiled model called on each sample alone
  (batch 1 runs exactly the blocks the sample takes), rows concatenated;
- torch eager (masked), torch.compile (masked): PyTorch 2 running the
  module as written;
- ORT (masked): ONNX Runtime on the legacy exporter's graph (the selects
  are Where nodes), dynamic batch.

Beside the table: the share of samples taking each branch (mean over the
inputs, per gated block or expert) and every system's largest error
against eager on the timed inputs (argmax mismatches count as wrong).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# (importing peers pins the BLAS threads from --threads before torch starts)
from peers import (System, _ort_callable, build_system, check, pin,  # noqa: E402
                   time_interleaved, versions)
from zoo import percentile  # noqa: E402

import torch  # noqa: E402

import dyn  # noqa: E402
from dyn.zoo.batched import BATCHED  # noqa: E402


def _loop(compiled):
    def call(x):
        return torch.cat([compiled(x[i:i + 1]) for i in range(x.shape[0])])
    return call


def _ort(model, example, threads: int, directory: Path):
    path = directory / "model.onnx"
    torch.onnx.export(model, tuple(example), str(path), input_names=["x"],
                      output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
                      dynamo=False)
    return _ort_callable(str(path), ["x"], example[0], threads)


def build(name: str, model, example, frontend: str, threads: int, directory: Path,
          wanted: set[str]) -> list[System]:
    systems = []

    def add(label, make):
        if label in wanted:
            systems.append(build_system(label, make))

    compiled = {}

    def dyn_batched():
        compiled["batched"] = dyn.compile(model, example, frontend=frontend, threads=threads)
        return compiled["batched"]

    add("dyn batched", dyn_batched)
    add("dyn masked", lambda: dyn.compile(model, example, frontend=frontend, threads=threads,
                                          batch_selects=False))
    add("dyn batch-1 loop", lambda: _loop(compiled.get("batched") or dyn_batched()))
    add("torch eager", lambda: model)
    add("torch.compile", lambda: torch.compile(model, dynamic=True))
    add("ORT", lambda: _ort(model, example, threads, directory))
    return systems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--inputs", type=int, default=4)
    parser.add_argument("--batches", default="1,8,32")
    parser.add_argument("--models", default=",".join(BATCHED))
    parser.add_argument("--systems", default="dyn batched,dyn masked,dyn batch-1 loop,"
                                             "torch eager,torch.compile,ORT")
    parser.add_argument("--frontend", default="torchscript", choices=["torchscript", "export"])
    parser.add_argument("--markdown")
    parser.add_argument("--json")
    args = parser.parse_args()
    pin(args.threads)
    wanted = set(args.systems.split(","))
    batches = [int(b) for b in args.batches.split(",")]
    results = []
    lines = [f"Threads: {args.threads}; {versions()}; frontend {args.frontend}; "
             f"{args.runs} runs x {args.inputs} inputs per batch size; "
             "median / p90 in microseconds per call (whole batch).", ""]
    for name in args.models.split(","):
        entry = BATCHED[name]
        model = entry.build()
        g = torch.Generator().manual_seed(0)
        with tempfile.TemporaryDirectory() as directory:
            systems = build(name, model, entry.sample(g, 2), args.frontend, args.threads,
                            Path(directory), wanted)
            header = ["batch", "branch shares"] + [s.name for s in systems] + \
                ["batched vs best of loop/masked", "batched vs best peer"]
            rows = []
            for n in batches:
                inputs = [entry.sample(g, n) for _ in range(args.inputs)]
                shares = [statistics.mean(v) for v in
                          zip(*[entry.branches(model, x[0]) for x in inputs])]
                for s in systems:
                    s.samples, s.checked, s.inconsistent, s.max_error = [], 0, 0, 0.0
                check(systems, model, inputs)
                time_interleaved(systems, inputs, args.runs, args.warmup)
                medians = {s.name: statistics.median(s.samples) for s in systems
                           if s.call is not None and s.samples}
                cells = []
                for s in systems:
                    if s.name not in medians:
                        cells.append(f"fails ({s.error[:50]})")
                    else:
                        cells.append(f"{medians[s.name]:.0f} / {percentile(s.samples, 0.9):.0f}"
                                     f" ({s.inconsistent}/{s.checked} wrong)")
                mine = medians.get("dyn batched")
                baseline = [medians[k] for k in ("dyn batch-1 loop", "torch eager", "dyn masked")
                            if k in medians]
                peers_ = [medians[k] for k in ("torch eager", "torch.compile", "ORT")
                          if k in medians]
                ratio = f"{min(baseline) / mine:.2f}x" if mine and baseline else "-"
                ratio_peer = f"{min(peers_) / mine:.2f}x" if mine and peers_ else "-"
                share_text = " ".join(f"{v:.2f}" for v in shares)
                rows.append([str(n), share_text] + cells + [ratio, ratio_peer])
                results.append({"model": name, "batch": n, "shares": shares,
                                "systems": [{"name": s.name, "median_us": medians.get(s.name),
                                             "p90_us": percentile(s.samples, 0.9) if s.samples else None,
                                             "inconsistent": s.inconsistent, "checked": s.checked,
                                             "max_error": s.max_error, "build_s": s.build_s,
                                             "error": s.error} for s in systems]})
                print(f"{name} batch {n}: " + ", ".join(f"{k} {v:.0f}" for k, v in medians.items())
                      + f"; {ratio} over best of loop/masked", flush=True)
            lines.append(f"### {name}")
            lines.append("")
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + " --- |" * len(header))
            lines.extend("| " + " | ".join(r) + " |" for r in rows)
            lines.append("")
            lines.append("Build: " + ", ".join(f"{s.name} {s.build_s:.1f} s" for s in systems))
            lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
