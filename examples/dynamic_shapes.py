"""Dynamic-shape networks (Nimble's case): a BERT-style encoder layer with a
dynamic batch B and sequence length S, and a decode loop whose sequence
grows by one row per step until an end token.

    encoder(x: [B, S, 64], mask: [B, S]) -> [B, S, 64]
        post-norm transformer layer: 4 heads of 16, additive attention mask
        (0 keeps a key, -10000 drops it), GELU feed-forward of 256, no
        control flow; every activation carries the symbolic dims B and S.
    decode(h0: [1, 64]) -> (seq: [T, 64], steps: i64)
        seq = [h0]; while argmax(last(seq) @ Wout) != EOS (at most 24 steps):
            ctx = softmax(last @ seq^T) @ seq;  seq += [tanh((last + ctx) @ W + b)]
        T = steps + 1 varies with the input (0 to 24 steps).

Weights are random with a fixed seed; the numpy references below are
independent of the compiler.

    dynamic_shapes.py emit OUT.mlir           both entry points (dyn dialect)
    dynamic_shapes.py check LIB.so [LIB.so..] every listed shape / trip count
                                              against numpy
    dynamic_shapes.py errors LIB.so           wrong shapes are reported
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

D, HEADS, HEAD_DIM, FF, VOCAB, EOS, MAX_STEPS, SEED = 64, 4, 16, 256, 16, 0, 24, 2027
SEQ_LENS, BATCHES = (1, 7, 64, 128), (1, 3)


def weights() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    w = {}
    for name, shape in (("Wq", (D, D)), ("Wk", (D, D)), ("Wv", (D, D)), ("Wo", (D, D)),
                        ("W1", (D, FF)), ("W2", (FF, D)), ("Wd", (D, D)), ("Wout", (D, VOCAB))):
        w[name] = (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32)
    for name, n in (("bq", D), ("bk", D), ("bv", D), ("bo", D), ("b1", FF), ("b2", D),
                    ("bd", D), ("bout", VOCAB)):
        w[name] = (rng.standard_normal((1, n)) * 0.1).astype(np.float32)
    for name in ("g1", "g2"):
        w[name] = (1 + 0.1 * rng.standard_normal((1, D))).astype(np.float32)
    for name in ("e1", "e2"):
        w[name] = (0.1 * rng.standard_normal((1, D))).astype(np.float32)
    return w


# --------------------------------------------------------------------------
# numpy references (float64)
# --------------------------------------------------------------------------
def _softmax(v: np.ndarray) -> np.ndarray:
    e = np.exp(v - v.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _layernorm(v: np.ndarray, g: np.ndarray, e: np.ndarray) -> np.ndarray:
    mean = v.mean(axis=-1, keepdims=True)
    c = v - mean
    return c / np.sqrt((c * c).mean(axis=-1, keepdims=True) + 1e-5) * g + e


def _gelu(v: np.ndarray) -> np.ndarray:
    return 0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v ** 3)))


def encoder_reference(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    w = {k: v.astype(np.float64) for k, v in weights().items()}
    b, s, _ = x.shape
    x = x.astype(np.float64)

    def heads(v):  # [B, S, D] -> [B, H, S, hd]
        return v.reshape(b, s, HEADS, HEAD_DIM).transpose(0, 2, 1, 3)

    q, k, v = (heads(x @ w[f"W{n}"] + w[f"b{n}"]) for n in "qkv")
    scores = q @ k.transpose(0, 1, 3, 2) * (1 / np.sqrt(HEAD_DIM))
    att = _softmax(scores + mask.astype(np.float64)[:, None, None, :])
    ctx = (att @ v).transpose(0, 2, 1, 3).reshape(b, s, D)
    h = _layernorm(x + ctx @ w["Wo"] + w["bo"], w["g1"], w["e1"])
    f = _gelu(h @ w["W1"] + w["b1"]) @ w["W2"] + w["b2"]
    return _layernorm(h + f, w["g2"], w["e2"])


def decode_reference(h0: np.ndarray) -> tuple[np.ndarray, int]:
    w = {k: v.astype(np.float64) for k, v in weights().items()}
    seq = h0.astype(np.float64)
    steps = 0
    while steps < MAX_STEPS:
        last = seq[-1:]
        if int(np.argmax(last @ w["Wout"] + w["bout"])) == EOS:
            break
        ctx = _softmax(last @ seq.T) @ seq
        seq = np.concatenate([seq, np.tanh((last + ctx) @ w["Wd"] + w["bd"])])
        steps += 1
    return seq, steps


# --------------------------------------------------------------------------
# MLIR emission
# --------------------------------------------------------------------------
def ty(shape, elt: str = "f32") -> str:
    return "tensor<" + "".join(("?" if d is None else str(d)) + "x" for d in shape) + elt + ">"


class Emitter:
    """Numbered SSA values, one op a line."""

    def __init__(self, indent: str = "  "):
        self.lines: list[str] = []
        self.count = 0
        self.indent = indent

    def op(self, text: str) -> str:
        name = f"%v{self.count}"
        self.count += 1
        self.lines.append(f"{self.indent}{name} = {text}")
        return name

    def const(self, name: str, array: np.ndarray) -> str:
        data = array.astype("<f4").tobytes().hex().upper()
        self.lines.append(f'{self.indent}%{name} = arith.constant dense<"0x{data}"> : {ty(array.shape)}')
        return f"%{name}"

    def splat(self, value: float, rank: int) -> str:
        return self.op(f"arith.constant dense<{value:.9e}> : {ty([1] * rank)}")

    def matmul(self, a: str, b: str, m, k, n, batch=False) -> str:
        """a [m, k] x b [k, n] (a leading batch dim with batch=True)."""
        lead = [None] if batch else []
        a_t, b_t, c_t = ty(lead + [m, k]), ty(lead + [k, n]), ty(lead + [m, n])
        sizes = []
        if batch:
            sizes.append(self.op(f"tensor.dim {a}, %c0 : {a_t}"))
        if m is None:
            sizes.append(self.op(f"tensor.dim {a}, %c{len(lead)} : {a_t}"))
        if n is None:
            sizes.append(self.op(f"tensor.dim {b}, %c{len(lead) + 1} : {b_t}"))
        empty = self.op(f"tensor.empty({', '.join(sizes)}) : {c_t}")
        fill = self.op(f"linalg.fill ins(%f0 : f32) outs({empty} : {c_t}) -> {c_t}")
        kind = "linalg.batch_matmul" if batch else "linalg.matmul"
        return self.op(f"{kind} ins({a}, {b} : {a_t}, {b_t}) outs({fill} : {c_t}) -> {c_t}")

    def tosa(self, name: str, operands: list[tuple[str, list]], result: list, attrs: str = "") -> str:
        values = ", ".join(v for v, _ in operands)
        types = ", ".join(ty(s) for _, s in operands)
        return self.op(f"tosa.{name} {values}{attrs} : ({types}) -> {ty(result)}")

    def mul(self, a: str, sa: list, b: str, sb: list, result: list) -> str:
        return self.op(f"tosa.mul {a}, {b}, %shift : ({ty(sa)}, {ty(sb)}, tensor<1xi8>) -> {ty(result)}")

    def linear(self, x: str, w: str, b: str, m, k: int, n: int) -> str:
        return self.tosa("add", [(self.matmul(x, w, m, k, n), [m, n]), (b, [1, n])], [m, n])

    def softmax(self, v: str, shape: list) -> str:
        """Softmax over the last dim."""
        axis = len(shape) - 1
        red = shape[:-1] + [1]
        mx = self.tosa("reduce_max", [(v, shape)], red, f" {{axis = {axis} : i32}}")
        e = self.tosa("exp", [(self.tosa("sub", [(v, shape), (mx, red)], shape), shape)], shape)
        r = self.tosa("reciprocal", [(self.tosa("reduce_sum", [(e, shape)], red,
                                                f" {{axis = {axis} : i32}}"), red)], red)
        return self.mul(e, shape, r, red, shape)

    def layernorm(self, v: str, n, g: str, e: str) -> str:
        shape, red = [n, D], [n, 1]
        inv = self.splat(1.0 / D, 2)
        mean = self.mul(self.tosa("reduce_sum", [(v, shape)], red, " {axis = 1 : i32}"), red, inv, [1, 1], red)
        c = self.tosa("sub", [(v, shape), (mean, red)], shape)
        sq = self.mul(c, shape, c, shape, shape)
        var = self.mul(self.tosa("reduce_sum", [(sq, shape)], red, " {axis = 1 : i32}"), red, inv, [1, 1], red)
        r = self.tosa("rsqrt", [(self.tosa("add", [(var, red), (self.splat(1e-5, 2), [1, 1])], red), red)], red)
        scaled = self.mul(self.mul(c, shape, r, red, shape), shape, g, [1, D], shape)
        return self.tosa("add", [(scaled, shape), (e, [1, D])], shape)

    def gelu(self, v: str, shape: list) -> str:
        cube = self.mul(self.mul(v, shape, v, shape, shape), shape, v, shape, shape)
        inner = self.tosa("add", [(v, shape), (self.mul(cube, shape, self.splat(0.044715, 2), [1, 1], shape),
                                               shape)], shape)
        t = self.tosa("tanh", [(self.mul(inner, shape, self.splat(float(np.sqrt(2 / np.pi)), 2), [1, 1],
                                         shape), shape)], shape)
        onep = self.tosa("add", [(t, shape), (self.splat(1.0, 2), [1, 1])], shape)
        half = self.mul(v, shape, self.splat(0.5, 2), [1, 1], shape)
        return self.mul(half, shape, onep, shape, shape)


PRELUDE = ("  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n"
           "  %c2 = arith.constant 2 : index\n  %f0 = arith.constant 0.0 : f32\n"
           '  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>\n')


def emit_encoder(w: dict[str, np.ndarray]) -> str:
    e = Emitter()
    for name in ("Wq", "Wk", "Wv", "Wo", "W1", "W2", "bq", "bk", "bv", "bo", "b1", "b2",
                 "g1", "g2", "e1", "e2"):
        e.const(name, w[name])
    n = None  # B * S rows
    b = e.op(f"tensor.dim %x, %c0 : {ty([None, None, D])}")
    s = e.op(f"tensor.dim %x, %c1 : {ty([None, None, D])}")
    x2 = e.op(f"tensor.collapse_shape %x [[0, 1], [2]] : {ty([None, None, D])} into {ty([n, D])}")

    def heads(v: str, perm: str, shape: list) -> str:
        """[B*S, D] -> [B, S, H, hd] -> transpose `perm` -> [B*H, ...]."""
        split = e.op(f"tensor.expand_shape {v} [[0, 1], [2, 3]] output_shape [{b}, {s}, {HEADS}, {HEAD_DIM}] "
                     f": {ty([n, D])} into {ty([None, None, HEADS, HEAD_DIM])}")
        t = e.op(f"tosa.transpose {split} {{perms = array<i32: {perm}>}} : "
                 f"({ty([None, None, HEADS, HEAD_DIM])}) -> {ty([None, HEADS] + shape)}")
        return e.op(f"tensor.collapse_shape {t} [[0, 1], [2], [3]] : {ty([None, HEADS] + shape)} "
                    f"into {ty([None] + shape)}")

    q = heads(e.linear(x2, "%Wq", "%bq", n, D, D), "0, 2, 1, 3", [None, HEAD_DIM])
    kt = heads(e.linear(x2, "%Wk", "%bk", n, D, D), "0, 2, 3, 1", [HEAD_DIM, None])
    v = heads(e.linear(x2, "%Wv", "%bv", n, D, D), "0, 2, 1, 3", [None, HEAD_DIM])
    scores = e.matmul(q, kt, None, HEAD_DIM, None, batch=True)  # [B*H, S, S]
    sc4 = e.op(f"tensor.expand_shape {scores} [[0, 1], [2], [3]] output_shape [{b}, {HEADS}, {s}, {s}] "
               f": {ty([None] * 3)} into {ty([None, HEADS, None, None])}")
    s4 = [None, HEADS, None, None]
    scaled = e.mul(sc4, s4, e.splat(1 / np.sqrt(HEAD_DIM), 4), [1, 1, 1, 1], s4)
    m4 = e.op(f"tensor.expand_shape %mask [[0, 1, 2], [3]] output_shape [{b}, 1, 1, {s}] "
              f": {ty([None, None])} into {ty([None, 1, 1, None])}")
    att = e.softmax(e.tosa("add", [(scaled, s4), (m4, [None, 1, 1, None])], s4), s4)
    att3 = e.op(f"tensor.collapse_shape {att} [[0, 1], [2], [3]] : {ty(s4)} into {ty([None] * 3)}")
    ctx = e.matmul(att3, v, None, None, HEAD_DIM, batch=True)  # [B*H, S, hd]
    ctx4 = e.op(f"tensor.expand_shape {ctx} [[0, 1], [2], [3]] output_shape [{b}, {HEADS}, {s}, {HEAD_DIM}] "
                f": {ty([None, None, HEAD_DIM])} into {ty([None, HEADS, None, HEAD_DIM])}")
    ctxt = e.op(f"tosa.transpose {ctx4} {{perms = array<i32: 0, 2, 1, 3>}} : "
                f"({ty([None, HEADS, None, HEAD_DIM])}) -> {ty([None, None, HEADS, HEAD_DIM])}")
    ctx2 = e.op(f"tensor.collapse_shape {ctxt} [[0, 1], [2, 3]] : {ty([None, None, HEADS, HEAD_DIM])} "
                f"into {ty([n, D])}")
    res1 = e.tosa("add", [(x2, [n, D]), (e.linear(ctx2, "%Wo", "%bo", n, D, D), [n, D])], [n, D])
    h = e.layernorm(res1, n, "%g1", "%e1")
    f = e.linear(e.gelu(e.linear(h, "%W1", "%b1", n, D, FF), [n, FF]), "%W2", "%b2", n, FF, D)
    out = e.layernorm(e.tosa("add", [(h, [n, D]), (f, [n, D])], [n, D]), n, "%g2", "%e2")
    y = e.op(f"tensor.expand_shape {out} [[0, 1], [2]] output_shape [{b}, {s}, {D}] "
             f": {ty([n, D])} into {ty([None, None, D])}")
    return (f"func.func @encoder(%x: {ty([None, None, D])}, %mask: {ty([None, None])}) "
            f"-> {ty([None, None, D])} {{\n{PRELUDE}" + "\n".join(e.lines) +
            f"\n  return {y} : {ty([None, None, D])}\n}}\n")


def emit_decode(w: dict[str, np.ndarray]) -> str:
    top = Emitter()
    for name in ("Wd", "bd", "Wout", "bout"):
        top.const(name, w[name])
    seq_t = ty([None, D])

    def last_row(e: Emitter, seq: str) -> str:
        rows = e.op(f"tensor.dim {seq}, %c0 : {seq_t}")
        at = e.op(f"arith.subi {rows}, %c1 : index")
        return e.op(f"tensor.extract_slice {seq}[{at}, 0] [1, {D}] [1, 1] : {seq_t} to {ty([1, D])}")

    before = Emitter("    ")
    last = last_row(before, "%seq")
    logits = before.linear(last, "%Wout", "%bout", 1, D, VOCAB)
    token = before.op(f"tosa.argmax {logits} {{axis = 1 : i32}} : ({ty([1, VOCAB])}) -> {ty([1], 'i32')}")
    eos = before.op(f'"tosa.const"() <{{values = dense<{EOS}> : tensor<1xi32>}}> : () -> tensor<1xi32>')
    done = before.op(f"tosa.equal {token}, {eos} : (tensor<1xi32>, tensor<1xi32>) -> tensor<1xi1>")
    go = before.op(f"tosa.logical_not {done} : (tensor<1xi1>) -> tensor<1xi1>")
    go0 = before.op(f"tensor.collapse_shape {go} [] : tensor<1xi1> into tensor<i1>")

    after = Emitter("    ")
    after.count = before.count
    last = last_row(after, "%s")
    seqt = after.op(f"tosa.transpose %s {{perms = array<i32: 1, 0>}} : ({seq_t}) -> {ty([D, None])}")
    att = after.softmax(after.matmul(last, seqt, 1, D, None), [1, None])
    ctx = after.matmul(att, "%s", 1, None, D)
    mixed = after.tosa("add", [(last, [1, D]), (ctx, [1, D])], [1, D])
    new = after.tosa("tanh", [(after.linear(mixed, "%Wd", "%bd", 1, D, D), [1, D])], [1, D])
    grown = after.op(f"tensor.concat dim(0) %s, {new} : ({seq_t}, {ty([1, D])}) -> {seq_t}")
    step = after.op("arith.addi %j, %one : i64")

    return (f"func.func @decode(%h0: {ty([1, D])}) -> ({seq_t}, i64) {{\n{PRELUDE}"
            + "\n".join(top.lines) +
            "\n  %zero = arith.constant 0 : i64\n  %one = arith.constant 1 : i64\n"
            f"  %r:2 = dyn.while (%seq = %h0 : {ty([1, D])}, %i = %zero) : ({seq_t}, i64) -> ({seq_t}, i64) {{\n"
            + "\n".join(before.lines) +
            f"\n    dyn.condition({go0} : tensor<i1>) %seq, %i : {seq_t}, i64\n  }} do {{\n"
            f"  ^bb0(%s: {seq_t}, %j: i64):\n" + "\n".join(after.lines) +
            f"\n    dyn.yield {grown}, {step} : {seq_t}, i64\n"
            f"  }} attributes {{max_iterations = {MAX_STEPS} : i64}}\n"
            f"  return %r#0, %r#1 : {seq_t}, i64\n}}\n")


def emit() -> str:
    w = weights()
    return ("// Generated by examples/dynamic_shapes.py (see that file): a BERT-style\n"
            "// encoder layer with dynamic batch and sequence length, and a decode loop\n"
            "// whose sequence grows. Regenerate with\n"
            "//   python3 examples/dynamic_shapes.py emit OUT.mlir\n"
            + emit_encoder(w) + "\n" + emit_decode(w))


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------
def encoder_inputs(rng: np.random.Generator, batch: int, seq: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.standard_normal((batch, seq, D)).astype(np.float32)
    mask = np.zeros((batch, seq), np.float32)
    for i in range(batch):  # pad the tail of all but the first sequence
        keep = seq if i == 0 else int(rng.integers(1, seq + 1))
        mask[i, keep:] = -10000.0
    return x, mask


def decode_inputs(rng: np.random.Generator) -> dict[int, np.ndarray]:
    """Inputs with distinct trip counts, among them 0, 1, a few and the cap."""
    found: dict[int, np.ndarray] = {}
    for _ in range(4000):
        h0 = (rng.standard_normal((1, D)) * rng.choice([0.3, 1.0, 3.0])).astype(np.float32)
        steps = decode_reference(h0)[1]
        found.setdefault(steps, h0)
    return found


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.abs(got - want).max() / max(1.0, float(np.abs(want).max())))


def check(libraries: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
    import dyn

    failures = 0
    modules = [dyn.load(lib) for lib in libraries]
    rng = np.random.default_rng(5)
    for batch in BATCHES:
        for seq in SEQ_LENS:
            x, mask = encoder_inputs(rng, batch, seq)
            want = encoder_reference(x, mask)
            errors = [relative_error(m.encoder(x, mask), want) for m in modules]
            ok = all(err < 1e-4 for err in errors)
            failures += not ok
            print(f"encoder B={batch} S={seq}: max rel error {max(errors):.1e} {'ok' if ok else 'MISMATCH'}")
    found = decode_inputs(np.random.default_rng(9))
    for steps in sorted(found):
        want_seq, _ = decode_reference(found[steps])
        ok = True
        for m in modules:
            seq, got_steps = m.decode(found[steps])
            ok &= int(got_steps) == steps and seq.shape == want_seq.shape and \
                relative_error(seq, want_seq) < 1e-4
        failures += not ok
        print(f"decode steps={steps}: rows {want_seq.shape[0]} {'ok' if ok else 'MISMATCH'}")
    print(f"decode trip counts: {sorted(found)}")
    print("FAILED" if failures else "all shapes ok")
    return 1 if failures else 0


def errors(library: str) -> int:
    """Inputs that violate the signature must raise dyn's error, not crash."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
    import dyn

    m = dyn.load(library)
    x, mask = encoder_inputs(np.random.default_rng(1), 2, 5)
    cases = {"rank": (x[0], mask), "feature dim": (x[:, :, :32], mask),
             "mask batch": (x, mask[:1]), "mask length": (x, mask[:, :4]),
             "dtype": (x.astype(np.float64), mask)}
    for name, args in cases.items():
        try:
            m.encoder(*args)
            print(f"{name}: no error")
        except dyn.DynError as error:
            print(f"{name}: {error}")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "emit":
        Path(sys.argv[2]).write_text(emit())
    elif command == "check":
        sys.exit(check(sys.argv[2:]))
    elif command == "errors":
        sys.exit(errors(sys.argv[2]))
    else:
        print(__doc__)
        sys.exit(2)
