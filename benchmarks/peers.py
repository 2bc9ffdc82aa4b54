"""dyn against the real peers in one interleaved run: PyTorch 2 eager,
torch.compile (inductor) and ONNX Runtime, on the dynamic model zoo.

    VENV/bin/python benchmarks/peers.py [--threads 1] [--runs 30] [--inputs 8]
        [--check 100] [--models a,b] [--peers eager,compile,ort,ort-dynamo]
        [--frontend torchscript|export] [--markdown out.md] [--json out.json]
        [--plot out.png]

VENV is the environment scripts/setup-peers.sh makes (torch 2, onnx,
onnxruntime, matplotlib). Per model every system is built from the same
module (same weights), then all of them run the same batch-1 inputs
(random, seeded, taking different paths) interleaved: round after round,
input after input, each system once, in an order that rotates, each call
timed on its own. Median and p90 are over every timed call.

Beside each latency stands the system's inconsistency over `--check`
inputs (DyCL's metric: the final answer, an argmax, exit or token
sequence, differs from eager PyTorch's), so a traced path that is fast and
wrong reads as wrong. A peer that cannot be built gets its error instead
of numbers.

The peers:
- eager: the module under torch.no_grad().
- compile: torch.compile(module) (inductor, default mode); its compile
  time is the first pass over the check inputs, which compiles every path
  they take (graph breaks at data-dependent control flow).
- ort: ONNX Runtime on the legacy exporter's graph of the scripted module
  (torch.onnx.export(torch.jit.script(m), dynamo=False), which keeps If and
  Loop), dynamic axes on the entry's dynamic dims.
- ort-dynamo: ONNX Runtime on the dynamo exporter's graph (traces the
  example's path where control flow depends on data).

Threads: `--threads N` pins the process to N cores and gives every system N
threads: torch.set_num_threads (eager, torch.compile), ORT's intra-op pool,
dyn's thread pool (dyn.compile(threads=N)). Every runtime's pool keeps
spinning for a while after a call (libgomp's, ORT's, dyn's 0.2 ms), so
back to back each system runs with the previous one's spinning threads on
its cores; `--gap-ms M` idles M ms before each call instead, which puts
every pool to sleep (and lets caches go cold): each call then includes its
pool's wake-up, as a request arriving on an idle server does.
"""

from __future__ import annotations

import os
import sys


def _threads_from_argv() -> int:
    """--threads, read before torch starts its pools."""
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return int(sys.argv[i + 1])
        if arg.startswith("--threads="):
            return int(arg.split("=", 1)[1])
    return 1


_THREADS = _threads_from_argv()
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(_THREADS)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Optional  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import dyn  # noqa: E402
from dyn.zoo import MODELS  # noqa: E402
from dyn.zoo.consistency import _answers_equal  # noqa: E402
from zoo import batch1, percentile, write_table  # noqa: E402

PEERS = ("eager", "compile", "ort", "ort-dynamo")
LABELS = {"dyn": "dyn", "eager": "torch eager", "compile": "torch.compile",
          "ort": "ORT (script)", "ort-dynamo": "ORT (dynamo)"}


@dataclass
class System:
    """One way of running a model: a callable taking the model's inputs and
    returning its outputs in eager's structure, or the reason it has none."""

    name: str
    call: Optional[Callable[..., Any]] = None
    error: str = ""
    build_s: float = 0.0
    inconsistent: int = 0
    checked: int = 0
    max_error: float = 0.0
    samples: list[float] = field(default_factory=list)


def pin(threads: int) -> None:
    cores = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, set(cores[:threads]))
    torch.set_num_threads(threads)


def _first_line(error: BaseException) -> str:
    """What stopped a peer, in a few words: torch.export's refusal of data-
    dependent control flow by name (the exporter wraps it in a generic
    error), else the exception's type and first line."""
    chain, seen = error, set()
    while chain is not None and id(chain) not in seen:
        seen.add(id(chain))
        text = str(chain)
        if "DataDependent" in type(chain).__name__ or "data-dependent" in text \
                or "data dependent" in text:
            return "torch.export: data-dependent control flow"
        chain = chain.__cause__ or chain.__context__
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:100] if text else ''}"


def _dynamic_dims(entry, example: list) -> dict[int, list[int]]:
    if entry.dynamic_dims is not None:
        return {i: list(d) for i, d in entry.dynamic_dims.items()}
    return {i: [0] for i, a in enumerate(example) if isinstance(a, torch.Tensor) and a.dim()}


def _like(template: Any, value: Any) -> Any:
    """An ONNX Runtime output (numpy) in the structure and kinds of eager's."""
    if isinstance(template, torch.Tensor):
        return torch.from_numpy(np.asarray(value)).to(template.dtype)
    if isinstance(template, bool):
        return bool(value)
    if isinstance(template, int):
        return int(value)
    if isinstance(template, float):
        return float(value)
    return value


def _ort_callable(path: str, names: list[str], template: Any, threads: int):
    import onnxruntime as ort

    ort.set_default_logger_severity(4)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 4  # shape warnings; failures raise anyway
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feeds = [i.name for i in session.get_inputs()]
    if len(feeds) != len(names):
        raise RuntimeError(f"the ONNX graph takes {len(feeds)} inputs, the model {len(names)}")
    templates = template if isinstance(template, tuple) else (template,)

    def call(*args):
        outputs = session.run(None, {n: a.numpy() for n, a in zip(feeds, args)})
        results = tuple(_like(t, o) for t, o in zip(templates, outputs))
        return results if isinstance(template, tuple) else results[0]

    return call


def build_system(name: str, make: Callable[[], Callable[..., Any]]) -> System:
    """A system whose call `make` builds (timed), or the reason it cannot
    be built."""
    system = System(name)
    start = time.perf_counter()
    try:
        system.call = make()
    except Exception as error:  # reported in the table
        system.error = _first_line(error)
    system.build_s = time.perf_counter() - start
    return system


def build_systems(entry, model, example, check_inputs, peers, frontend, threads,
                  workdir: Path) -> list[System]:
    systems = []
    dims = _dynamic_dims(entry, example)
    names = [f"input{i}" for i in range(len(example))]
    with torch.no_grad():
        template = model(*example)

    def add(name: str, make: Callable[[], Callable[..., Any]]) -> None:
        system = build_system(name, make)
        systems.append(system)
        status = f"fails: {system.error}" if system.error else f"built in {system.build_s:.1f} s"
        print(f"  {LABELS[name]}: {status}", flush=True)

    def make_dyn():
        return dyn.compile(model, example, dynamic_dims=entry.dynamic_dims,
                           frontend=frontend, threads=threads)

    def make_compile():
        compiled = torch.compile(model)
        with torch.no_grad():
            for args in check_inputs:  # compiles every path the inputs take
                compiled(*args)
        return compiled

    def make_ort():
        path = str(workdir / f"{entry_name(entry)}-script.onnx")
        axes = {names[i]: {d: f"in{i}_d{d}" for d in ds} for i, ds in dims.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(torch.jit.script(model), tuple(example), path, input_names=names,
                              dynamic_axes=axes, dynamo=False, opset_version=17)
        return _ort_callable(path, names, template, threads)

    def make_ort_dynamo():
        path = str(workdir / f"{entry_name(entry)}-dynamo.onnx")
        shapes = tuple({d: torch.export.Dim.AUTO for d in dims.get(i, [])} or None
                       for i in range(len(example)))
        chatter = io.StringIO()  # the exporter prints its graphs and reports
        with warnings.catch_warnings(), contextlib.redirect_stdout(chatter), \
                contextlib.redirect_stderr(chatter):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(model, tuple(example), dynamo=True,
                                        dynamic_shapes=shapes, verbose=False)
            program.save(path)
        return _ort_callable(path, names, template, threads)

    makers = {"eager": lambda: model, "compile": make_compile, "ort": make_ort,
              "ort-dynamo": make_ort_dynamo}
    add("dyn", make_dyn)
    for peer in peers:
        add(peer, makers[peer])
    return systems


def entry_name(entry) -> str:
    return next(name for name, e in MODELS.items() if e is entry)


def check(systems: list[System], model, inputs: list) -> None:
    """Each system's inconsistency with eager over `inputs`."""
    with torch.no_grad():
        for args in inputs:
            want = model(*args)
            for system in systems:
                if system.call is None:
                    continue
                system.checked += 1
                try:
                    got = system.call(*args)
                    same, error = _answers_equal(got, want)
                except Exception:  # a failed call counts as a wrong answer
                    same, error = False, float("inf")
                system.inconsistent += 0 if same else 1
                system.max_error = max(system.max_error, error)


def time_interleaved(systems: list[System], inputs: list, runs: int, warmup: int,
                     gap_s: float = 0.0) -> None:
    """Times every call; a system whose call raises on a timed input is
    reported as failing there (a graph traced on one shape, e.g.). `gap_s`
    of idle time precede each call (untimed)."""
    live = [s for s in systems if s.call is not None]
    with torch.no_grad():
        for round_ in range(warmup + runs):
            order = live[round_ % len(live):] + live[:round_ % len(live)]
            for args in inputs:
                for system in order:
                    if system.call is None:
                        continue
                    if gap_s:
                        time.sleep(gap_s)
                    start = time.perf_counter()
                    try:
                        system.call(*args)
                    except Exception as error:  # reported in the table
                        system.error = f"raises on inputs of the run: {_first_line(error)}"
                        system.call = None
                        continue
                    elapsed = (time.perf_counter() - start) * 1e6
                    if round_ >= warmup:
                        system.samples.append(elapsed)


def cell(system: System) -> str:
    if system.call is None:
        return f"fails ({system.error[:60]})"
    wrong = f"{system.inconsistent}/{system.checked} wrong"
    return (f"{statistics.median(system.samples):.1f} / {percentile(system.samples, 0.9):.1f}"
            f" ({wrong})")


def versions() -> str:
    parts = [f"torch {torch.__version__}"]
    for module in ("onnxruntime", "onnx"):
        try:
            parts.append(f"{module} {__import__(module).__version__}")
        except ImportError:
            pass
    return ", ".join(parts) + f", Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="cores the process is pinned to and threads per system (1)")
    parser.add_argument("--gap-ms", type=float, default=0.0,
                        help="idle ms before each call (0)")
    parser.add_argument("--runs", type=int, default=30, help="timed rounds (30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed rounds first (5)")
    parser.add_argument("--inputs", type=int, default=8, help="timed inputs per round (8)")
    parser.add_argument("--check", type=int, default=100,
                        help="inputs the inconsistency is counted over (100)")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--peers", default=",".join(PEERS),
                        help=f"comma-separated, of {', '.join(PEERS)}")
    parser.add_argument("--frontend", default="torchscript", choices=["torchscript", "export"])
    parser.add_argument("--markdown", help="write the table here")
    parser.add_argument("--json", help="write every figure here")
    parser.add_argument("--plot", help="write a bar chart here (needs matplotlib)")
    args = parser.parse_args()
    peers = [p for p in args.peers.split(",") if p]
    unknown = sorted(set(peers) - set(PEERS))
    if unknown:
        parser.error(f"unknown peers {unknown} (expected some of {', '.join(PEERS)})")
    gap_ms = args.gap_ms
    warnings.filterwarnings("ignore")
    pin(args.threads)
    print(versions(), f"| {args.threads} thread(s), cores {sorted(os.sched_getaffinity(0))}, "
          f"{gap_ms:g} ms idle before each call", flush=True)

    results = []
    with tempfile.TemporaryDirectory(prefix="dyn-peers-") as tmp:
        for name in args.models.split(","):
            entry = MODELS[name]
            print(f"{name}:", flush=True)
            model = entry.build().eval()
            g = torch.Generator().manual_seed(42)
            check_inputs = [batch1(entry, entry.sample(g)) for _ in range(args.check)]
            inputs = check_inputs[:args.inputs]
            example = entry.example()
            systems = build_systems(entry, model, example, check_inputs, peers,
                                    args.frontend, args.threads, Path(tmp))
            check(systems, model, check_inputs)
            time_interleaved(systems, inputs, args.runs, args.warmup, gap_ms / 1000)
            paths = sorted({entry.path(model, a) for a in check_inputs})
            results.append({"model": name, "paths": len(paths), "systems": systems})
            for system in systems:
                print(f"  {LABELS[system.name]}: {cell(system)}", flush=True)

    columns = ["dyn", *peers]
    header = ("| model | paths | " + " | ".join(f"{LABELS[c]} (us)" for c in columns)
              + " | best consistent peer / dyn | dyn compile (s) |")
    lines = [f"{versions()}; {args.threads} thread(s); batch 1; {gap_ms:g} ms idle before "
             f"each call; median / p90 over {args.runs} rounds x {args.inputs} inputs; "
             f"inconsistency over {args.check} inputs",
             "", header, "|" + " --- |" * (len(columns) + 4)]
    for result in results:
        by_name = {s.name: s for s in result["systems"]}
        ours = by_name["dyn"]
        consistent = [s for s in result["systems"] if s.name != "dyn" and s.call is not None
                      and s.inconsistent == 0]
        ratio = ""
        if ours.call is not None and consistent:
            best = min(consistent, key=lambda s: statistics.median(s.samples))
            ratio = (f"{statistics.median(best.samples) / statistics.median(ours.samples):.2f}x"
                     f" ({LABELS[best.name]})")
        lines.append(f"| {result['model']} | {result['paths']} | "
                     + " | ".join(cell(by_name[c]) for c in columns)
                     + f" | {ratio} | {ours.build_s:.1f} |")
    write_table(lines, args.markdown)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "versions": versions(), "threads": args.threads, "gap_ms": gap_ms, "runs": args.runs,
            "inputs": args.inputs, "check": args.check,
            "models": [{"model": r["model"], "paths": r["paths"], "systems": [
                {"name": s.name, "error": s.error, "build_s": s.build_s,
                 "inconsistent": s.inconsistent, "checked": s.checked,
                 "max_error": s.max_error if s.max_error != float("inf") else None,
                 "median_us": statistics.median(s.samples) if s.samples else None,
                 "p90_us": percentile(s.samples, 0.9) if s.samples else None}
                for s in r["systems"]]} for r in results]}, indent=1) + "\n")
    if args.plot:
        plot(results, columns, args.threads, Path(args.plot))
    return 0


def plot(results, columns, threads: int, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4.2))
    width = 0.8 / len(columns)
    for k, name in enumerate(columns):
        xs, ys, hatches = [], [], []
        for i, result in enumerate(results):
            system = next(s for s in result["systems"] if s.name == name)
            if system.samples:
                xs.append(i + (k - (len(columns) - 1) / 2) * width)
                ys.append(statistics.median(system.samples))
                hatches.append("//" if system.inconsistent else "")
        bars = ax.bar(xs, ys, width=width, label=LABELS[name])
        for bar, hatch in zip(bars, hatches):
            bar.set_hatch(hatch)
    ax.set_xticks(range(len(results)), [r["model"] for r in results])
    ax.set_yscale("log")
    ax.set_ylabel("batch-1 latency, median (us, log)")
    ax.set_title(f"dyn vs peers, {threads} thread(s) (hatched: inconsistent with eager)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
