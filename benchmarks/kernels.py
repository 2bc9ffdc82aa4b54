"""Single-thread GEMM and convolution kernels: dyn's generated code against
MKL (torch.mm) and oneDNN (torch's CPU conv2d), with a roofline column.

    VENV/bin/python benchmarks/kernels.py [--runs 50] [--rounds 3]
        [--only gemm|conv] [--markdown out.md] [--json out.json]

VENV is the environment scripts/setup-peers.sh makes (PyTorch 2: MKL and
oneDNN). Everything runs on one core with one thread.

- GEMM: `linalg.matmul` (with its zero fill) on two f32 arguments of static
  shape, written here as MLIR and compiled by dyn-compile for this CPU; the
  peer is `torch.mm(a, b, out=c)`.
- Convolution: `nn.Conv2d(C, F, 3, padding=1, bias=False)` on an NCHW
  batch-1 image, compiled by `dyn.compile` (TorchScript frontend, static
  shapes) exactly as a model's convolution is, NCHW <-> NHWC transposes
  included; the peer is `torch.nn.functional.conv2d` (oneDNN).

dyn is timed by `dyn-run --repeat` (C++ clock, no Python in the loop),
torch in this process (its per-call dispatch, about 1-2 us, is included:
it matters only for the smallest shapes). The two alternate for `--rounds`
rounds; each figure is the median over the rounds of each round's median
(p90 likewise). Every dyn result is checked against torch's.

Roofline: min(P, I x B), with I the kernel's arithmetic intensity (flops
per byte of its operands and result, each moved once), P the best GFLOP/s
MKL reached in this run on the largest GEMM (a lower bound of the core's
peak) and B the single-core copy bandwidth measured here (numpy, 64 MB);
"of roofline" is dyn's GFLOP/s over that bound.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

import dyn  # noqa: E402
from zoo import percentile, write_table  # noqa: E402

# (M, N, K): the sizes issue 14 names, and the zoo's matmuls at batch 1
# (transformer at sequence 128: q/k/v/o, ff1, ff2; moe's expert; an LSTM
# cell's gates).
GEMMS = [
    ("square 256", 256, 256, 256),
    ("square 1024", 1024, 1024, 1024),
    ("transformer qkv, S=128", 128, 64, 64),
    ("transformer ff1, S=128", 128, 128, 64),
    ("transformer ff2, S=128", 128, 64, 128),
    ("moe expert up", 1, 256, 128),
    ("lstm gates", 1, 256, 96),
]

# (C, H, W, F): the zoo's ResNet stages (3x3, stride 1, padding 1) and its
# stem.
CONVS = [
    ("stem 3->16 @32x32", 3, 32, 32, 16),
    ("stage1 16->16 @32x32", 16, 32, 32, 16),
    ("stage2 32->32 @16x16", 32, 16, 16, 32),
    ("stage3 64->64 @8x8", 64, 8, 8, 64),
]


@dataclass
class Result:
    kind: str
    name: str
    flops: float
    bytes: float
    dyn: list[tuple[float, float]] = field(default_factory=list)   # (median, p90) per round
    peer: list[tuple[float, float]] = field(default_factory=list)
    error: float = 0.0

    def median(self, which: list[tuple[float, float]]) -> tuple[float, float]:
        return (statistics.median(m for m, _ in which), statistics.median(p for _, p in which))


def pin() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    torch.set_num_threads(1)


def dyn_run(build: Path, library: Path, inputs: list[Path], runs: int,
            output_dir: Path | None = None) -> tuple[float, float]:
    cmd = [str(build / "bin" / "dyn-run"), str(library), "--repeat", str(runs),
           "--warmup", str(max(3, runs // 10)), "--quiet"]
    for path in inputs:
        cmd += ["--input", str(path)]
    if output_dir:
        cmd += ["--output-dir", str(output_dir)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    timing = re.search(r"median ([0-9.]+) us, p90 ([0-9.]+) us", out)
    assert timing, out
    return float(timing.group(1)), float(timing.group(2))


def time_torch(fn, runs: int) -> tuple[float, float]:
    for _ in range(max(3, runs // 10)):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples), percentile(samples, 0.9)


def gemm_mlir(m: int, n: int, k: int) -> str:
    a, b, c = f"tensor<{m}x{k}xf32>", f"tensor<{k}x{n}xf32>", f"tensor<{m}x{n}xf32>"
    return f"""func.func @gemm(%a: {a}, %b: {b}) -> {c} {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : {c}
  %z = linalg.fill ins(%zero : f32) outs(%e : {c}) -> {c}
  %r = linalg.matmul ins(%a, %b : {a}, {b}) outs(%z : {c}) -> {c}
  return %r : {c}
}}
"""


def runs_for(flops: float, runs: int) -> int:
    """Fewer repetitions for the long kernels (1024^3: ~25 ms each)."""
    return max(5, min(runs, int(runs * 2e8 / max(flops, 1))))


def bench_gemm(build: Path, work: Path, name: str, m: int, n: int, k: int,
               args) -> Result:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    stem = work / f"gemm_{m}x{n}x{k}"
    stem.with_suffix(".mlir").write_text(gemm_mlir(m, n, k))
    library = stem.with_suffix(".so")
    subprocess.run([str(build / "bin" / "dyn-compile"), str(stem.with_suffix(".mlir")),
                    "--cpu=host", "--emit=shared", "-o", str(library)], check=True)
    np.save(work / "a.npy", a)
    np.save(work / "b.npy", b)
    inputs = [work / "a.npy", work / "b.npy"]
    result = Result("gemm", name, 2.0 * m * n * k, 4.0 * (m * k + k * n + m * n))
    ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.empty(m, n)
    runs = runs_for(result.flops, args.runs)
    for round_ in range(args.rounds):
        out = work / "out" if round_ == 0 else None
        result.dyn.append(dyn_run(build, library, inputs, runs, out))
        result.peer.append(time_torch(lambda: torch.mm(ta, tb, out=tc), runs))
        if out:
            got = np.load(out / "out0.npy")
            want = (a.astype(np.float64) @ b.astype(np.float64))
            result.error = float(np.abs(got - want).max() / max(1.0, np.abs(want).max()))
    return result


def bench_conv(build: Path, work: Path, name: str, c: int, h: int, w: int, f: int,
               args) -> Result:
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(c, f, 3, padding=1, bias=False).eval()
    x = torch.randn(1, c, h, w)
    cwork = work / f"conv_{c}_{h}_{f}"
    cwork.mkdir(exist_ok=True)
    compiled = dyn.compile(conv, [x], dynamic_dims={0: []}, workdir=str(cwork))
    library = Path(compiled.library)
    np.save(cwork / "x.npy", x.numpy())
    flops = 2.0 * f * h * w * c * 9
    result = Result("conv", name, flops, 4.0 * (c * h * w + f * c * 9 + f * h * w))
    runs = runs_for(flops, args.runs)
    with torch.no_grad():
        weight = conv.weight.detach()
        want = conv(x).numpy()
        for round_ in range(args.rounds):
            out = cwork / "out" if round_ == 0 else None
            result.dyn.append(dyn_run(build, library, [cwork / "x.npy"], runs, out))
            result.peer.append(time_torch(
                lambda: torch.nn.functional.conv2d(x, weight, padding=1), runs))
            if out:
                got = np.load(out / "out0.npy")
                result.error = float(np.abs(got - want).max() / max(1.0, np.abs(want).max()))
    return result


def copy_bandwidth() -> float:
    """Single-core copy bandwidth in GB/s (read + write of 64 MB)."""
    src = np.ones(16 << 20, np.float32)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return 2 * src.nbytes / best / 1e9


def gflops(flops: float, us: float) -> float:
    return flops / us / 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=["gemm", "conv"])
    parser.add_argument("--markdown")
    parser.add_argument("--json")
    args = parser.parse_args()
    build = Path(args.build)
    os.environ.setdefault("DYN_COMPILE", str(build / "bin" / "dyn-compile"))
    pin()
    bandwidth = copy_bandwidth()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="dyn-kernels-") as tmp:
        work = Path(tmp)
        if args.only != "conv":
            for name, m, n, k in GEMMS:
                results.append(bench_gemm(build, work, name, m, n, k, args))
                print(f"  {name}: done", flush=True)
        if args.only != "gemm":
            for name, c, h, w, f in CONVS:
                results.append(bench_conv(build, work, name, c, h, w, f, args))
                print(f"  {name}: done", flush=True)
    peak = max(gflops(r.flops, min(m for m, _ in r.peer)) for r in results)
    lines = [f"torch {torch.__version__} (MKL, oneDNN), one thread on one core; "
             f"P = {peak:.1f} GFLOP/s (best MKL figure of this run), "
             f"B = {bandwidth:.1f} GB/s (copy); median / p90 in us over "
             f"{args.rounds} alternating rounds", "",
             "| kernel | shape | dyn (us) | MKL / oneDNN (us) | dyn GFLOP/s | peer GFLOP/s "
             "| dyn / peer | roofline (GFLOP/s) | dyn of roofline | max rel. error |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    rows = []
    for r in results:
        dm, dp = r.median(r.dyn)
        pm, pp = r.median(r.peer)
        roof = min(peak, r.flops / r.bytes * bandwidth)
        shape = next((f"{m}x{n}x{k}" for nm, m, n, k in GEMMS if nm == r.name), None) or \
            next(f"C{c} {h}x{w} F{f}" for nm, c, h, w, f in CONVS if nm == r.name)
        lines.append(f"| {r.name} | {shape} | {dm:.1f} / {dp:.1f} | {pm:.1f} / {pp:.1f} | "
                     f"{gflops(r.flops, dm):.1f} | {gflops(r.flops, pm):.1f} | "
                     f"{pm / dm:.2f}x | {roof:.1f} | {gflops(r.flops, dm) / roof:.0%} | "
                     f"{r.error:.1e} |")
        rows.append({"kernel": r.kind, "name": r.name, "shape": shape, "dyn_us": [dm, dp],
                     "peer_us": [pm, pp], "dyn_gflops": gflops(r.flops, dm),
                     "peer_gflops": gflops(r.flops, pm), "roofline_gflops": roof,
                     "error": r.error})
    write_table(lines, args.markdown)
    if args.json:
        Path(args.json).write_text(json.dumps({"peak": peak, "bandwidth": bandwidth,
                                               "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
