"""The bundled dynamic network: a gated residual MLP with an early exit.

    stem:    h0 = relu(x @ W0 + b0)                          x: [batch, 64]
    block 1: h1 = h0 + relu(h0 @ W1 + b1)  if mean(h0 @ g1) > 0 else h0
    exit 1:  p1 = softmax(h1 @ E1 + c1); exit if min over batch of max(p1) > tau
    block 2: h2 = h1 + relu(h1 @ W2 + b2)  if mean(h1 @ g2) > 0 else h2 = h1
    head:    logits = h2 @ E2 + c2

It returns (logits [batch, 10], exit index: 1 or 2). Both gates are
SkipNet-style data-dependent skips; the exit is a Shallow-Deep-style
confidence threshold. Weights are random with a fixed seed.

    gated_mlp.py emit OUT.mlir           the network in the dyn dialect
    gated_mlp.py inputs DIR              inputs that take different paths
    gated_mlp.py check X.npy OUTDIR      compare dyn-run's outputs with numpy
    gated_mlp.py consistency LIB.so [N] [--runner CMD]
                                         N random inputs through the compiled
                                         library (python/dyn, or a runner such
                                         as dyn-run-min under qemu): DyCL's
                                         metric
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

WIDTH, CLASSES, SEED = 64, 10, 2026


def weights() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    w = {}
    for name in ("W0", "W1", "W2"):
        w[name] = (rng.standard_normal((WIDTH, WIDTH)) / np.sqrt(WIDTH)).astype(np.float32)
    for name in ("b0", "b1", "b2"):
        w[name] = (rng.standard_normal((1, WIDTH)) * 0.1).astype(np.float32)
    for name in ("g1", "g2"):
        w[name] = rng.standard_normal((WIDTH, 1)).astype(np.float32)
    for name in ("E1", "E2"):
        w[name] = (rng.standard_normal((WIDTH, CLASSES)) * 2 / np.sqrt(WIDTH)).astype(np.float32)
    for name in ("c1", "c2"):
        w[name] = (rng.standard_normal((1, CLASSES)) * 0.1).astype(np.float32)
    w["tau"] = np.array([[0.5]], np.float32)
    return w


def relu(v):
    return np.maximum(v, 0)


def softmax(v):
    e = np.exp(v - v.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def reference(x: np.ndarray) -> tuple[np.ndarray, int, str]:
    """The network in numpy (float64), independent of the compiler."""
    w = {k: v.astype(np.float64) for k, v in weights().items()}
    x = x.astype(np.float64)
    h0 = relu(x @ w["W0"] + w["b0"])
    gate1 = (h0 @ w["g1"]).mean() > 0
    h1 = h0 + relu(h0 @ w["W1"] + w["b1"]) if gate1 else h0
    logits1 = h1 @ w["E1"] + w["c1"]
    if softmax(logits1).max(axis=1).min() > w["tau"][0, 0]:
        return logits1, 1, f"gate1={'run' if gate1 else 'skip'} exit=1"
    gate2 = (h1 @ w["g2"]).mean() > 0
    h2 = h1 + relu(h1 @ w["W2"] + w["b2"]) if gate2 else h1
    logits2 = h2 @ w["E2"] + w["c2"]
    path = f"gate1={'run' if gate1 else 'skip'} exit=2 gate2={'run' if gate2 else 'skip'}"
    return logits2, 2, path


# --------------------------------------------------------------------------
# MLIR emission
# --------------------------------------------------------------------------
def const(name: str, array: np.ndarray) -> str:
    shape = "x".join(str(d) for d in array.shape)
    data = array.astype("<f4").tobytes().hex().upper()
    return (f'  %{name} = arith.constant dense<"0x{data}"> : tensor<{shape}xf32>\n')


def dense(out: str, x: str, w: str, b: str | None, k: int, n: int, relu_: bool) -> str:
    """out = [relu](x @ w [+ b]) with x: ?xk, w: kxn."""
    s = (f"  %{out}_n = tensor.dim %{x}, %c0 : tensor<?x{k}xf32>\n"
         f"  %{out}_e = tensor.empty(%{out}_n) : tensor<?x{n}xf32>\n"
         f"  %{out}_z = linalg.fill ins(%f0 : f32) outs(%{out}_e : tensor<?x{n}xf32>) -> tensor<?x{n}xf32>\n"
         f"  %{out}_m = linalg.matmul ins(%{x}, %{w} : tensor<?x{k}xf32>, tensor<{k}x{n}xf32>) "
         f"outs(%{out}_z : tensor<?x{n}xf32>) -> tensor<?x{n}xf32>\n")
    last = f"{out}_m"
    if b:
        s += (f"  %{out}_b = tosa.add %{last}, %{b} : (tensor<?x{n}xf32>, tensor<1x{n}xf32>) "
              f"-> tensor<?x{n}xf32>\n")
        last = f"{out}_b"
    if relu_:
        s += (f"  %{out}_r = tosa.clamp %{last} {{min_val = 0.0 : f32, max_val = 3.4e38 : f32}} "
              f": (tensor<?x{n}xf32>) -> tensor<?x{n}xf32>\n")
        last = f"{out}_r"
    return s + f"  %{out} = tensor.cast %{last} : tensor<?x{n}xf32> to tensor<?x{n}xf32>\n"


def gate(out: str, h: str, g: str) -> str:
    """out: tensor<i1> = mean(h @ g) > 0 (sum > 0 is the same test)."""
    return (dense(f"{out}_s", h, g, None, WIDTH, 1, False) +
            f"  %{out}_t = tosa.reduce_sum %{out}_s {{axis = 0 : i32}} : (tensor<?x1xf32>) -> tensor<1x1xf32>\n"
            f"  %{out}_g = tosa.greater %{out}_t, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>\n"
            f"  %{out} = tensor.collapse_shape %{out}_g [] : tensor<1x1xi1> into tensor<i1>\n")


def residual(out: str, h: str, gate_name: str, w: str, b: str) -> str:
    body = dense(f"{out}_f", h, w, b, WIDTH, WIDTH, True)
    body += (f"  %{out}_y = tosa.add %{h}, %{out}_f : (tensor<?x{WIDTH}xf32>, tensor<?x{WIDTH}xf32>) "
             f"-> tensor<?x{WIDTH}xf32>\n")
    body = "".join("  " + line + "\n" for line in body.splitlines())
    return (f"  %{out} = dyn.cond %{gate_name} : tensor<i1> -> tensor<?x{WIDTH}xf32> {{\n"
            f"{body}    dyn.yield %{out}_y : tensor<?x{WIDTH}xf32>\n"
            f"  }} else {{\n    dyn.yield %{h} : tensor<?x{WIDTH}xf32>\n  }}\n")


def confidence(out: str, logits: str) -> str:
    """out: tensor<i1> = min over batch of max softmax probability > tau."""
    c = CLASSES
    return (f"  %{out}_mx = tosa.reduce_max %{logits} {{axis = 1 : i32}} : (tensor<?x{c}xf32>) -> tensor<?x1xf32>\n"
            f"  %{out}_d = tosa.sub %{logits}, %{out}_mx : (tensor<?x{c}xf32>, tensor<?x1xf32>) -> tensor<?x{c}xf32>\n"
            f"  %{out}_x = tosa.exp %{out}_d : (tensor<?x{c}xf32>) -> tensor<?x{c}xf32>\n"
            f"  %{out}_s = tosa.reduce_sum %{out}_x {{axis = 1 : i32}} : (tensor<?x{c}xf32>) -> tensor<?x1xf32>\n"
            f"  %{out}_p = tosa.reciprocal %{out}_s : (tensor<?x1xf32>) -> tensor<?x1xf32>\n"
            f"  %{out}_m = tosa.reduce_min %{out}_p {{axis = 0 : i32}} : (tensor<?x1xf32>) -> tensor<1x1xf32>\n"
            f"  %{out}_g = tosa.greater %{out}_m, %tau : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>\n"
            f"  %{out} = tensor.collapse_shape %{out}_g [] : tensor<1x1xi1> into tensor<i1>\n")


def emit() -> str:
    w = weights()
    body = "".join(const(k, v) for k, v in w.items())
    body += ("  %c0 = arith.constant 0 : index\n"
             "  %f0 = arith.constant 0.0 : f32\n"
             "  %zero = arith.constant dense<0.0> : tensor<1x1xf32>\n")
    body += dense("h0", "x", "W0", "b0", WIDTH, WIDTH, True)
    body += gate("gate1", "h0", "g1")
    body += residual("h1", "h0", "gate1", "W1", "b1")
    body += dense("logits1", "h1", "E1", "c1", WIDTH, CLASSES, False)
    body += confidence("conf1", "logits1")
    # Deeper path, inside the else region of the exit.
    deep = gate("gate2", "h1", "g2")
    deep += residual("h2", "h1", "gate2", "W2", "b2")
    deep += dense("logits2", "h2", "E2", "c2", WIDTH, CLASSES, False)
    deep = "".join("  " + line + "\n" for line in deep.splitlines())
    body += (f"  %one = arith.constant 1 : i32\n  %two = arith.constant 2 : i32\n"
             f"  %out:2 = dyn.cond %conf1 : tensor<i1> -> tensor<?x{CLASSES}xf32>, i32 {{\n"
             f"    dyn.yield %logits1, %one : tensor<?x{CLASSES}xf32>, i32\n"
             f"  }} else {{\n{deep}"
             f"    dyn.yield %logits2, %two : tensor<?x{CLASSES}xf32>, i32\n  }}\n"
             f"  return %out#0, %out#1 : tensor<?x{CLASSES}xf32>, i32\n")
    return ("// Generated by examples/gated_mlp.py: a gated residual MLP with an early\n"
            "// exit (see that file). Do not edit; regenerate with\n"
            "//   python3 examples/gated_mlp.py emit examples/gated_mlp.mlir\n"
            f"func.func @forward(%x: tensor<?x{WIDTH}xf32>) -> (tensor<?x{CLASSES}xf32>, i32) {{\n"
            f"{body}}}\n")


PATHS = ["gate1=run exit=1", "gate1=skip exit=1",
         "gate1=run exit=2 gate2=run", "gate1=run exit=2 gate2=skip",
         "gate1=skip exit=2 gate2=run", "gate1=skip exit=2 gate2=skip"]


def draw(rng: np.random.Generator, batch: int) -> np.ndarray:
    """A random input from a broad mixture (scales and shifts vary)."""
    scale = rng.choice([0.1, 0.3, 1.0, 3.0])
    shift = rng.choice([-1.0, 0.0, 1.0]) * rng.standard_normal(WIDTH)
    return (rng.standard_normal((batch, WIDTH)) * scale + shift).astype(np.float32)


def inputs(directory: Path) -> None:
    """Writes inputs that, together, take every path (batch 1 and 4)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    found: dict[str, Path] = {}
    for trial in range(20000):
        batch = 1 if trial % 2 == 0 else 4
        x = draw(rng, batch)
        path = reference(x)[2] + f" batch={batch}"
        if path not in found:
            found[path] = directory / f"x{len(found)}.npy"
            np.save(found[path], x)
        if len(found) == 2 * len(PATHS):
            break
    for path, file in sorted(found.items()):
        print(f"{file}\t{path}")


def check(x_file: str, out_dir: str) -> int:
    x = np.load(x_file)
    want_logits, want_exit, path = reference(x)
    logits = np.load(Path(out_dir) / "out0.npy")
    exit_ = int(np.load(Path(out_dir) / "out1.npy"))
    error = float(np.abs(logits - want_logits).max())
    ok = exit_ == want_exit and error < 1e-4 * max(1.0, float(np.abs(want_logits).max()))
    same_argmax = bool((logits.argmax(1) == want_logits.argmax(1)).all())
    print(f"  path [{path}] exit={exit_} (numpy {want_exit}), max |error| vs numpy = {error:.2e}, "
          f"argmax {'matches' if same_argmax else 'DIFFERS'}: {'OK' if ok and same_argmax else 'MISMATCH'}")
    return 0 if ok and same_argmax else 1


def consistency(library: str, count: int, runner: list[str] | None = None) -> int:
    """DyCL's consistency metric: `count` random inputs (batch 1-8), spread
    round-robin over every path by rejection sampling, go through the
    compiled network; reports the share whose argmax or exit differs from
    numpy, the max relative error, and the inputs per path."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
    import dyn

    forward = (dyn.RunnerModule(library, runner) if runner else dyn.load(library)).forward
    rng = np.random.default_rng(11)
    paths: dict[str, int] = {}
    inconsistent, worst = 0, 0.0
    for i in range(count):
        target = PATHS[i % len(PATHS)]
        batch = int(rng.integers(1, 9))
        for _ in range(5000):
            x = draw(rng, batch)
            want, want_exit, path = reference(x)
            if path == target:
                break
        logits, exit_ = forward(x)
        paths[path] = paths.get(path, 0) + 1
        worst = max(worst, float(np.abs(logits - want).max() / max(1.0, np.abs(want).max())))
        if int(exit_) != want_exit or (logits.argmax(1) != want.argmax(1)).any():
            inconsistent += 1
    for path, n in sorted(paths.items()):
        print(f"path [{path}]: {n} inputs")
    print(f"inconsistent: {inconsistent}/{count}, max relative error {worst:.2e}")
    return 0 if inconsistent == 0 and worst < 1e-4 else 1


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "emit":
        Path(sys.argv[2]).write_text(emit())
    elif command == "inputs":
        inputs(Path(sys.argv[2]))
    elif command == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    elif command == "consistency":
        import shlex
        args = sys.argv[2:]
        runner = None
        if "--runner" in args:
            at = args.index("--runner")
            runner = shlex.split(args[at + 1])
            del args[at:at + 2]
        sys.exit(consistency(args[0], int(args[1]) if len(args) > 1 else 200, runner))
    else:
        print(__doc__)
        sys.exit(2)
