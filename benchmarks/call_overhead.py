"""The Python call path's cost per call: one compiled library called from C
(dyn-run's own timing loop) and from Python through dyn.compile's callable,
on the C path (the _dyn_fastcall extension) and on the general numpy path;
one core, one thread.

    PYTHON benchmarks/call_overhead.py [--calls 20000] [--markdown out.md]

PYTHON is Debian's python3 (torch 1.13) or the PyTorch 2 venv's. dyn-compile
and dyn-run are found as dyn.compile finds dyn-compile ($DYN_COMPILE or
build/bin). The models: `x + 1` on 1x128 (nothing but the call), the zoo's
moe (two outputs: a tensor and an int) and a four-input MLP. The C
figure is dyn-run's median over the same number of calls; the Python
figures time every call with perf_counter and take the median.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import dyn  # noqa: E402
from dyn.compiler import CompiledModule, find_dyn_compile  # noqa: E402
from dyn.zoo import MODELS  # noqa: E402
from zoo import write_table  # noqa: E402


class AddOne(torch.nn.Module):
    def forward(self, x):
        return x + 1


class FourInputs(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(16, 16)
        self.b = torch.nn.Linear(16, 16)

    def forward(self, x, y, z, w):
        return self.a(x) + self.b(y) * z + w, (x + y).sum(1)


def cases():
    moe = MODELS["moe"]
    return [("x + 1 (1x128)", AddOne(), [torch.randn(1, 128)]),
            ("zoo moe (batch 1)", moe.build().eval(), [torch.randn(1, 128)]),
            ("4 inputs, 2 outputs", FourInputs().eval(), [torch.randn(1, 16) for _ in range(4)])]


def time_python(fn, args, calls: int) -> float:
    with torch.no_grad():
        for _ in range(calls // 10):
            fn(*args)
        samples = []
        for _ in range(calls):
            start = time.perf_counter()
            fn(*args)
            samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def time_c(dyn_run: Path, library: Path, inputs: list[Path], calls: int) -> float:
    cmd = [str(dyn_run), str(library), "--repeat", str(calls), "--warmup", str(calls // 10),
           "--quiet"]
    for path in inputs:
        cmd += ["--input", str(path)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    match = re.search(r"median ([0-9.]+) us", out)
    if not match:
        raise RuntimeError(f"no timing in dyn-run's output:\n{out}")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--markdown")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    torch.set_num_threads(1)
    dyn_run = Path(find_dyn_compile()).with_name("dyn-run")

    lines = [f"torch {torch.__version__}, Python {sys.version.split()[0]}; median us per call",
             "", "| model | C (dyn-run) | Python, C path | C path - C | Python, numpy path "
             "| numpy path - C |", "| --- | --- | --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory(prefix="dyn-call-") as tmp:
        for index, (name, model, example) in enumerate(cases()):
            workdir = Path(tmp) / str(index)
            fast = dyn.compile(model, example, workdir=str(workdir))
            if not fast.fast_path:
                raise RuntimeError("the _dyn_fastcall extension was not found: build it")
            general = CompiledModule.__new__(CompiledModule)
            general.__dict__.update(fast.__dict__)
            general._fast = None
            files = []
            for i, value in enumerate(example):
                files.append(workdir / f"in{i}.npy")
                np.save(files[-1], value.numpy())
            c = time_c(dyn_run, fast.library, files, args.calls)
            # Interleave the two Python paths in halves against drift.
            py_fast = [time_python(fast, example, args.calls // 2)]
            py_general = [time_python(general, example, args.calls // 2)]
            py_fast.append(time_python(fast, example, args.calls // 2))
            py_general.append(time_python(general, example, args.calls // 2))
            f, g = statistics.mean(py_fast), statistics.mean(py_general)
            row = f"| {name} | {c:.2f} | {f:.2f} | {f - c:.2f} | {g:.2f} | {g - c:.2f} |"
            lines.append(row)
            print(row, flush=True)
    write_table(lines, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
