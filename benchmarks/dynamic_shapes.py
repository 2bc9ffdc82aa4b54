"""Dynamic shapes benchmark (issue #5): the BERT-style encoder layer of
examples/dynamic_shapes.py compiled once generic and once with
shape-specialised versions (`--specialize`), at several sequence lengths,
against PyTorch eager running the same layer with the same weights; and the
peak memory the compiled code allocates, for the encoder and the growing
decode loop.

dyn is timed by dyn-run (C++ clock, pinned to core 0); PyTorch in this
process (one thread, same core), median and p90 over the same number of
runs after warm-up.

usage: dynamic_shapes.py BUILD_DIR [--runs N]   (prints markdown tables)
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
import dynamic_shapes as ds  # noqa: E402

SEQ_LENS = (1, 7, 16, 64, 128)
SPECIALIZED = (1, 7, 64, 128)  # 16 is left to the generic version on purpose


def dyn_run(build: Path, library: Path, entry: str, inputs: list[Path], runs: int) -> dict:
    cmd = ["taskset", "-c", "0", str(build / "bin" / "dyn-run"), str(library), "--entry", entry,
           "--repeat", str(runs), "--warmup", str(max(3, runs // 10)), "--quiet", "--report-memory"]
    for i in inputs:
        cmd += ["--input", str(i)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    timing = re.search(r"median ([0-9.]+) us, p90 ([0-9.]+) us", out)
    memory = re.search(r"peak memory: ([0-9]+) bytes.*, ([0-9.]+) allocations per call", out)
    assert timing and memory, out
    return {"median": float(timing.group(1)), "p90": float(timing.group(2)),
            "peak": int(memory.group(1)), "allocs": float(memory.group(2))}


def torch_encoder():
    import torch

    torch.set_num_threads(1)
    w = {k: torch.from_numpy(v) for k, v in ds.weights().items()}

    def layernorm(v, g, e):
        mean = v.mean(-1, keepdim=True)
        c = v - mean
        return c * torch.rsqrt((c * c).mean(-1, keepdim=True) + 1e-5) * g + e

    def encoder(x, mask):
        b, s, _ = x.shape

        def heads(v):
            return v.view(b, s, ds.HEADS, ds.HEAD_DIM).transpose(1, 2)

        q, k, v = (heads(x @ w[f"W{n}"] + w[f"b{n}"]) for n in "qkv")
        att = torch.softmax(q @ k.transpose(2, 3) * (1 / ds.HEAD_DIM ** 0.5) + mask[:, None, None, :], -1)
        ctx = (att @ v).transpose(1, 2).reshape(b, s, ds.D)
        h = layernorm(x + ctx @ w["Wo"] + w["bo"], w["g1"], w["e1"])
        f = torch.nn.functional.gelu(h @ w["W1"] + w["b1"], approximate="tanh") @ w["W2"] + w["b2"]
        return layernorm(h + f, w["g2"], w["e2"])

    return torch, encoder


def time_torch(fn, args, runs: int) -> dict:
    for _ in range(max(3, runs // 10)):
        fn(*args)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(*args)
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return {"median": statistics.median(samples), "p90": samples[int(0.9 * (len(samples) - 1))]}


def main() -> int:
    build = Path(sys.argv[1])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 100
    os.sched_setaffinity(0, {0})
    torch, encoder = torch_encoder()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        source = t / "dynamic_shapes.mlir"
        source.write_text(ds.emit())
        generic, special = t / "generic.so", t / "special.so"
        generic_np, special_np = t / "generic-np.so", t / "special-np.so"
        compile_ = [str(build / "bin" / "dyn-compile"), str(source)]
        spec = "encoder:0.1=" + ",".join(map(str, SPECIALIZED))
        spec_flags = [f"--specialize={spec}", "--specialize=encoder:0.0=1"]
        seconds = {}
        for out, flags in ((generic, []), (special, spec_flags),
                           (generic_np, ["--no-plan-memory"]),
                           (special_np, spec_flags + ["--no-plan-memory"])):
            started = time.perf_counter()
            subprocess.run(compile_ + flags + ["-o", str(out)], check=True)
            seconds[out] = time.perf_counter() - started

        rng = np.random.default_rng(3)
        print(f"Encoder layer (D=64, 4 heads, FF=256), batch 1, {runs} runs; compile "
              f"{seconds[generic]:.1f} s generic, {seconds[special]:.1f} s with {len(SPECIALIZED)} "
              f"specialised versions (`{' '.join(spec_flags)}`).\n")
        print("| S | version taken | dyn generic median / p90 (us) | dyn specialised median / p90 (us) "
              "| specialised vs generic | PyTorch eager median / p90 (us) | dyn (best) vs eager |")
        print("|---|---|---|---|---|---|---|")
        memory_rows = []
        for s in SEQ_LENS:
            x, mask = ds.encoder_inputs(rng, 1, s)
            np.save(t / "x.npy", x)
            np.save(t / "m.npy", mask)
            inputs = [t / "x.npy", t / "m.npy"]
            g = dyn_run(build, generic, "encoder", inputs, runs)
            p = dyn_run(build, special, "encoder", inputs, runs)
            gn = dyn_run(build, generic_np, "encoder", inputs, max(10, runs // 5))
            pn = dyn_run(build, special_np, "encoder", inputs, max(10, runs // 5))
            e = time_torch(encoder, (torch.from_numpy(x), torch.from_numpy(mask)), runs)
            best = min(g["median"], p["median"])
            taken = f"encoder__a0d0_1_a0d1_{s}" if s in SPECIALIZED else "generic (no version)"
            print(f"| {s} | {taken} | {g['median']:.1f} / {g['p90']:.1f} | {p['median']:.1f} / {p['p90']:.1f} "
                  f"| {g['median'] / p['median']:.2f}x | {e['median']:.1f} / {e['p90']:.1f} "
                  f"| {e['median'] / best:.2f}x |")
            memory_rows.append(
                f"| {s} | {gn['peak']} / {gn['allocs']:.0f} | {g['peak']} / {g['allocs']:.0f} "
                f"| {pn['peak']} / {pn['allocs']:.0f} | {p['peak']} / {p['allocs']:.0f} "
                f"| {pn['peak'] / p['peak']:.2f}x |")

        print("\nPeak bytes allocated by compiled code / allocations per call, without "
              "(`--no-plan-memory`) and with memory planning (dyn-plan-memory):\n")
        print("| S | generic, no plan | generic, planned | specialised, no plan | specialised, planned "
              "| specialised peak saved |")
        print("|---|---|---|---|---|---|")
        print("\n".join(memory_rows))

        print("\nDecode loop (sequence grows by one 64-wide row per step), generic build:\n")
        print("| steps | rows | median / p90 (us) | peak bytes | allocations per call |")
        print("|---|---|---|---|---|")
        found = ds.decode_inputs(np.random.default_rng(9))
        for steps in (0, 4, 12, 24):
            if steps not in found:
                continue
            np.save(t / "h.npy", found[steps])
            d = dyn_run(build, generic, "decode", [t / "h.npy"], runs)
            print(f"| {steps} | {steps + 1} | {d['median']:.1f} / {d['p90']:.1f} | {d['peak']} "
                  f"| {d['allocs']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
