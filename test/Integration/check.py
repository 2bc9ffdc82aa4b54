"""Runs compiled integration networks on inputs that drive every path and
compares them with independent numpy references.

usage: check.py CASE LIB.so [LIB2.so ...] [--runner "CMD ..."]

Libraries are called in process through dyn's Python loader, or with
--runner through a command line (`CMD LIB.so ENTRY OUTDIR IN.npy...`, e.g.
`qemu-aarch64 -L /usr/aarch64-linux-gnu dyn-run-min` for AArch64 builds).

Every library (e.g. the outlined and the plain upstream build of one .mlir)
must match the reference on every input: integers exactly, floats within
1e-5 relative to the output's scale. Prints one line per path and exits
non-zero on the first mismatch.
"""

from __future__ import annotations

import shlex
import sys
from collections import defaultdict
from typing import Callable, Iterator

import numpy as np

import dyn

Case = tuple[str, tuple, list]  # (path name, inputs, expected outputs)


class Relative:
    """An expected float output checked element by element: within `rel` of
    each element's magnitude (plus `tiny`), infinities and NaNs where the
    reference has them."""

    def __init__(self, want: np.ndarray, rel: float, tiny: float = 1e-30):
        self.want, self.rel, self.tiny = want, rel, tiny


class Exact:
    """An expected float output checked bit for bit (the sign of zeros
    included), NaNs where the reference has them (any payload)."""

    def __init__(self, want: np.ndarray):
        self.want = want


def close(got: np.ndarray, want) -> bool:
    if isinstance(want, Exact):
        w = want.want
        if got.shape != w.shape or got.dtype != w.dtype:
            return False
        nan = np.isnan(w)
        return bool(np.array_equal(np.isnan(got), nan) and
                    np.array_equal(got[~nan].view(np.uint32), w[~nan].view(np.uint32)))
    if isinstance(want, Relative):
        w = want.want
        if got.shape != w.shape or got.dtype != w.dtype:
            return False
        finite = np.isfinite(w)
        if not np.array_equal(np.isnan(got), np.isnan(w)) or \
                not np.array_equal(got[np.isinf(w)], w[np.isinf(w)]):
            return False
        err = np.abs(got[finite].astype(np.float64) - w[finite])
        return bool(np.all(err <= want.rel * np.abs(w[finite]) + want.tiny))
    if got.shape != want.shape or got.dtype != want.dtype:
        return False
    if np.issubdtype(want.dtype, np.floating):
        scale = max(1.0, float(np.abs(want).max())) if want.size else 1.0
        return bool(np.all(np.abs(got - want) <= 1e-5 * scale))
    return bool(np.array_equal(got, want))


# --------------------------------------------------------------------------
# cond.mlir
# --------------------------------------------------------------------------
def cond_reference(x, w):
    gate = x.sum() > 0
    h = x + np.maximum(x @ w, 0) if gate else x * x
    exit_ = h.max() > 4
    out = h if exit_ else np.ones((1, 16), np.float32)
    path = f"gate={'then' if gate else 'else'} exit={'then' if exit_ else 'else'}"
    return path, [h.astype(np.float32), out.astype(np.float32)]


def cond_cases(rng) -> Iterator[Case]:
    w = (rng.standard_normal((16, 16)) * 0.5).astype(np.float32)
    for batch in (1, 3, 7):
        for sign in (1.0, -1.0):
            for scale in (0.05, 3.0):
                x = (np.abs(rng.standard_normal((batch, 16))) * scale * sign).astype(np.float32)
                path, outs = cond_reference(x, w)
                yield path, (x, w), outs


# --------------------------------------------------------------------------
# switch.mlir
# --------------------------------------------------------------------------
def switch_reference(x, wr):
    idx = int(np.argmax((x @ wr).sum(0)))
    experts = {0: np.exp, 1: np.tanh, 2: lambda v: v * v}
    y = experts.get(idx, lambda v: -v)(x)
    path = f"case{idx}" if idx in experts else "default"
    return path, [y.astype(np.float32), np.array(idx, np.int32)]


def switch_cases(rng) -> Iterator[Case]:
    for batch in (1, 2, 5):
        for expert in range(4):
            x = np.abs(rng.standard_normal((batch, 8))).astype(np.float32) + 0.1
            wr = np.zeros((8, 4), np.float32)
            wr[:, expert] = 1.0
            path, outs = switch_reference(x, wr)
            yield path, (x, wr), outs


# --------------------------------------------------------------------------
# while.mlir
# --------------------------------------------------------------------------
def grow_reference(x, n):
    rows = [x[0]]
    for _ in range(n):
        rows.append(rows[-1] * 2)
    return np.stack(rows).astype(np.float32), np.int64(n)


def double_reference(x, limit):
    k = 0
    while np.abs(x).sum() < limit[0, 0] and k < 10:
        x = x + x
        k += 1
    return x.astype(np.float32), np.int32(k)


def while_cases(rng) -> Iterator[Case]:
    x = rng.standard_normal((1, 4)).astype(np.float32)
    for n in (0, 1, 5, 17):
        name = "grow-0" if n == 0 else "grow-1" if n == 1 else "grow-many"
        y, count = grow_reference(x, n)
        yield name, ("grow", x, np.int64(n)), [y, np.array(count)]
    for batch in (1, 4):
        x = (rng.standard_normal((batch, 4)) * 0.1).astype(np.float32)
        total = float(np.abs(x).sum())
        for limit, name in ((total * 0.5, "double-0"), (total * 1.5, "double-1"),
                            (total * 20.0, "double-many"),
                            (total * 1e6, "double-capped")):
            lim = np.array([[limit]], np.float32)
            y, k = double_reference(x, lim)
            yield name, ("double_until", x, lim), [y, np.array(k)]


# --------------------------------------------------------------------------
# nested.mlir
# --------------------------------------------------------------------------
def nested_reference(x, k, n):
    if int(k) != 1:
        return "default", [(x * 3).astype(np.float32)]
    took = set()
    for _ in range(n):
        if x.sum() > 0:
            x = x * 0.5 - 1
            took.add("then")
        else:
            x = x + 1
            took.add("else")
    if not took:
        path = "loop-0"
    elif len(took) == 2:
        path = "loop-mixed"
    else:
        path = "loop-" + took.pop()
    return path, [x.astype(np.float32)]


def nested_cases(rng) -> Iterator[Case]:
    for batch in (1, 3):
        base = np.abs(rng.standard_normal((batch, 4))).astype(np.float32)
        for k, n, x in ((0, 3, base), (7, 3, base), (1, 0, base),
                        (1, 1, base), (1, 1, -base), (1, 6, base * 4)):
            path, outs = nested_reference(x, k, n)
            yield path, (x, np.array(k, np.int64), np.int64(n)), outs


# --------------------------------------------------------------------------
# bounded.mlir
# --------------------------------------------------------------------------
def bounded_cases(rng) -> Iterator[Case]:
    for rows in (1, 5, 9):
        x = rng.standard_normal((rows, 8)).astype(np.float32)
        for k in (-2, 0, 1, 3, rows, rows + 4):
            n = min(max(k, 0), rows)
            path = "none" if n == 0 else "all" if n == rows else "some"
            yield path, (x, np.array(k, np.int64)), [np.exp(x[:n])]


# --------------------------------------------------------------------------
# raised-scf.mlir (scf / tosa input raised into dyn)
# --------------------------------------------------------------------------
def raised_cases(rng) -> Iterator[Case]:
    f32 = np.float32
    w = (rng.standard_normal((8, 8)) * 0.5).astype(f32)
    for batch in (1, 4):
        for sign in (1.0, -1.0):
            x = (np.abs(rng.standard_normal((batch, 8))) * sign).astype(f32)
            if x.sum() > 0:
                yield "gate=then", ("gate", x, w), [np.maximum(x @ w, 0)]
            else:
                yield "gate=else", ("gate", x, w), [2 * x]
    seq = rng.standard_normal((5, 8)).astype(f32)
    h0 = rng.standard_normal((1, 8)).astype(f32)
    for n in (0, 2, 5, 9):
        h = h0
        for t in range(min(n, len(seq))):
            h = np.tanh(h @ w + seq[t:t + 1])
        path = "rnn-0" if n == 0 else "rnn-all" if n >= len(seq) else "rnn-some"
        yield path, ("rnn", seq, h0, w, np.array(n, np.int64)), [h.astype(f32)]
    experts = {0: ("exp", np.exp), 1: ("tanh", np.tanh)}
    for k in (0, 1, 2, -3):
        x = rng.standard_normal((3, 4)).astype(f32)
        name, fn = experts.get(k, ("default", np.negative))
        yield f"route={name}", ("route", x, np.array(k, np.int64)), [fn(x)]
    for start, limit in (([5, 1], 3), ([1], 2), ([0, 1], 20)):
        s = list(start)
        while sum(s) < limit:
            s.append(s[-1] + 1)
        path = "decode-0" if len(s) == len(start) else "decode-many"
        yield path, ("decode", np.array(start, np.int64), np.array(limit, np.int64)), \
            [np.array(s, np.int64)]
    for sign in (1.0, -1.0):
        for k in (0, 3):
            x = (np.abs(rng.standard_normal((2, 4))) * sign).astype(f32)
            y = x + x if x.sum() > 0 else x * x
            path = "tosa=then" if x.sum() > 0 else "tosa=else"
            yield path, ("tosa", x, np.array(k, np.int32)), [y * 2.0 ** k]
    for batch in (1, 5):
        x = rng.standard_normal((batch, 4)).astype(f32)
        yield "smooth", ("smooth", x), [np.tanh(np.tanh(np.tanh(x)))]


# --------------------------------------------------------------------------
# gemm.mlir
# --------------------------------------------------------------------------
def gemm_cases(rng) -> Iterator[Case]:
    def operands(m, k, n):
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        want = (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)
        return a, b, want

    a, b, want = operands(96, 384, 512)
    yield "large", ("large", a, b), [want]
    a, b, want = operands(100, 200, 300)
    yield "ragged", ("ragged", a, b), [want]
    for m in (1, 7, 96):
        a, b, want = operands(m, 384, 512)
        yield f"rows={m}", ("rows", a, b), [want]


# --------------------------------------------------------------------------
# parallel.mlir (float64 references)
# --------------------------------------------------------------------------
def parallel_cases(rng) -> Iterator[Case]:
    def normal(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    x, w = normal(1, 16, 16, 8), normal(3, 3, 8, 16)
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    conv = np.zeros((1, 14, 14, 16))
    for kh in range(3):
        for kw in range(3):
            conv += np.einsum("nhwc,cf->nhwf",
                              x64[:, kh:kh + 14, kw:kw + 14, :], w64[kh, kw])
    yield "conv", ("conv", x, w), [conv.astype(np.float32)]
    x = normal(2, 64, 32, 32)
    yield "relu", ("relu", x), [np.maximum(x, 0) + np.float32(1)]
    q, k = normal(4, 64, 32), normal(4, 32, 64)
    yield "attention", ("attention", q, k), [
        (q.astype(np.float64) @ k.astype(np.float64)).astype(np.float32)]
    x = normal(512, 256)
    yield "rowsum", ("rowsum", x), [x.astype(np.float64).sum(1).astype(np.float32)]
    b = normal(384, 512)
    for m in (1, 50):
        a = normal(m, 384)
        yield f"rows={m}", ("rows", a, b), [
            (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)]


# --------------------------------------------------------------------------
# epilogue.mlir (float64 references)
# --------------------------------------------------------------------------
def conv_nhwc(x, w_ohwi, b, pad):
    """A stride-1 NHWC convolution with an OHWI filter, in float64."""
    x = np.pad(x.astype(np.float64), ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    w = w_ohwi.astype(np.float64)
    kh, kw = w.shape[1:3]
    oh, ow = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((x.shape[0], oh, ow, w.shape[0])) + b.astype(np.float64)
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nhwc,fc->nhwf", x[:, i:i + oh, j:j + ow, :], w[:, i, j, :])
    return out


def epilogue_cases(rng) -> Iterator[Case]:
    def normal(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    x, w1, b1 = normal(1, 5, 13, 16), normal(16, 3, 3, 16), normal(16)
    w2, b2 = normal(16, 1, 1, 16), normal(16)
    want = np.maximum(conv_nhwc(x, w1, b1, 1) + conv_nhwc(x, w2, b2, 0), 0)
    yield "shortcut", ("shortcut", x, w1, b1, w2, b2), [want.astype(np.float32)]
    for batch in (1, 3):
        x = normal(batch, 5, 13, 16)
        want = np.maximum(conv_nhwc(x, w1, b1, 1) + x, 0)
        yield f"batch={batch}", ("residual", x, w1, b1), [want.astype(np.float32)]


# --------------------------------------------------------------------------
# reductions.mlir (float64 references)
# --------------------------------------------------------------------------
def reduction_cases(rng) -> Iterator[Case]:
    for length in (1, 15, 16, 17, 100):
        x = rng.standard_normal((4, length)).astype(np.float32)
        x[1] = -0.0  # a row of negative zeros: max and sum are -0.0
        if length > 1:
            x[2, length // 2] = np.nan  # one NaN lane: the row's max is NaN
        want_max = x.astype(np.float64).max(axis=1).astype(np.float32)
        x_sum = x.copy()
        x_sum[2] = rng.standard_normal(length)
        want_sum = x_sum.astype(np.float64).sum(axis=1).astype(np.float32)
        yield f"length={length}", ("rowmax", x), [Exact(want_max)]
        yield f"length={length}", ("rowsum", x_sum), [Relative(want_sum, 1e-5, tiny=1e-6)]


# --------------------------------------------------------------------------
# math.mlir (the polynomial approximations against libm's float64)
# --------------------------------------------------------------------------
def math_cases(rng) -> Iterator[Case]:
    special = np.array([0.0, -0.0, 1e-30, -1e-30, 1e-7, 88.0, 89.0, -87.0, -104.0,
                        -200.0, 200.0, np.inf, -np.inf, np.nan], np.float64)
    wide = np.concatenate([special, rng.uniform(-30, 30, 2034)])
    x = wide.astype(np.float32)
    x64 = x.astype(np.float64)
    positive = np.abs(x) + np.float32(1e-6)
    with np.errstate(all="ignore"):
        erf = np.vectorize(__import__("math").erf, otypes=[np.float64])
        want = [np.exp(x64), np.tanh(x64), erf(np.nan_to_num(x64)),
                np.log(positive.astype(np.float64))]
    # erf of the NaN lane: NaN
    want[2][np.isnan(x64)] = np.nan
    want[2][np.isinf(x64)] = np.sign(x64[np.isinf(x64)])
    # exp: 1 ulp-scale relative error, underflow to zero allowed near the
    # denormals; tanh, erf: absolute error near zero; log: relative.
    with np.errstate(over="ignore"):  # exp overflows to inf in float32
        want = [w.astype(np.float32) for w in want]
    yield "approximations", (x, positive), [
        Relative(want[0], 3e-7, tiny=1.2e-38),
        Relative(want[1], 3e-7, tiny=1e-7),
        Relative(want[2], 3e-7, tiny=1e-7),
        Relative(want[3], 3e-7, tiny=1e-7)]


# --------------------------------------------------------------------------
# batch-cond.mlir: every sample alone, in numpy
# --------------------------------------------------------------------------
def batch_reference(x, w):
    out = np.empty_like(x)
    sums = np.empty((x.shape[0], 1), np.float32)
    for i, row in enumerate(x):
        s = row.sum(keepdims=True)
        if s[0] > 0:
            out[i] = row + np.maximum(row @ w, 0)
            sums[i] = 2 * s
        else:
            out[i] = row * row
            sums[i] = s
    return [out, sums]


def nested_batch_reference(x):
    out = np.empty_like(x)
    for i, row in enumerate(x):
        out[i] = row if row.sum() <= 0 else (row + row if row.max() > 1 else -row)
    return [out]


def batch_cases(rng) -> Iterator[Case]:
    w = (rng.standard_normal((16, 16)) * 0.5).astype(np.float32)

    def rows(signs, scale=1.0):
        x = np.abs(rng.standard_normal((len(signs), 16))).astype(np.float32) * scale
        return x * np.array(signs, np.float32).reshape(-1, 1)

    for signs, path in [([1] * 5, "all-then"), ([-1] * 6, "all-else"),
                        ([1, -1, -1, 1, 1, -1, 1], "mixed"), ([-1, 1], "mixed"),
                        ([1], "batch=1"), ([-1], "batch=1"), ([], "batch=0")]:
        x = rows(signs)
        yield path, (x, w), batch_reference(x, w)
    for signs in ([1, -1, 1, 1, -1, -1, 1, 1], [1] * 3, [-1] * 2, [1]):
        for scale in (0.1, 1.0):
            x = rows(signs, scale)
            yield "nested", ("nested", x), nested_batch_reference(x)
    for signs in ([1, -1, 1, -1], [1] * 4, [-1] * 4):
        x = rows(signs)
        want = np.where(x.sum(1, keepdims=True) > 0, np.exp(x), np.tanh(x))
        yield "static", ("static4", x), [want.astype(np.float32)]
    experts = [np.exp, np.tanh, lambda v: v * v, lambda v: -v]

    def route(x):
        return [np.array([experts[int(np.argmax(r))](r) for r in x],
                         np.float32).reshape(x.shape)]

    for picks, path in [([0, 1, 2, 3, 1, 0, 3], "switch-mixed"), ([2, 0], "switch-mixed"),
                        ([1] * 5, "switch-one-case"), ([2], "switch-one-case"),
                        ([3] * 4, "switch-default"), ([], "switch-default")]:
        x = rng.uniform(-1, 0, (len(picks), 4)).astype(np.float32)
        for i, k in enumerate(picks):
            x[i, k] = 0.5
        yield path, ("route", x), route(x)


CASES: dict[str, tuple[Callable, list[str]]] = {
    "bounded": (bounded_cases, ["none", "some", "all"]),
    "batch": (batch_cases, ["all-then", "all-else", "mixed", "batch=1", "batch=0",
                            "nested", "static", "switch-mixed", "switch-one-case",
                            "switch-default"]),
    "math": (math_cases, ["approximations"]),
    "epilogue": (epilogue_cases, ["shortcut", "batch=1", "batch=3"]),
    "reductions": (reduction_cases, ["length=1", "length=15", "length=16",
                                     "length=17", "length=100"]),
    "parallel": (parallel_cases, ["conv", "relu", "attention", "rowsum",
                                  "rows=1", "rows=50"]),
    "gemm": (gemm_cases, ["large", "ragged", "rows=1", "rows=7", "rows=96"]),
    "cond": (cond_cases, ["gate=then exit=then", "gate=then exit=else",
                          "gate=else exit=then", "gate=else exit=else"]),
    "switch": (switch_cases, ["case0", "case1", "case2", "default"]),
    "while": (while_cases, ["grow-0", "grow-1", "grow-many", "double-0",
                            "double-1", "double-many", "double-capped"]),
    "nested": (nested_cases, ["default", "loop-0", "loop-then", "loop-else",
                              "loop-mixed"]),
    "raised": (raised_cases, ["gate=then", "gate=else", "rnn-0", "rnn-some",
                              "rnn-all", "route=exp", "route=tanh",
                              "route=default", "decode-0", "decode-many",
                              "tosa=then", "tosa=else", "smooth"]),
}


def main() -> int:
    args = sys.argv[1:]
    runner = None
    if "--runner" in args:
        at = args.index("--runner")
        runner = shlex.split(args[at + 1])
        del args[at:at + 2]
    name, libraries = args[0], args[1:]
    generate, expected_paths = CASES[name]
    if runner:
        modules = [dyn.RunnerModule(path, runner) for path in libraries]
    else:
        modules = [dyn.load(path) for path in libraries]
    runs: dict[str, int] = defaultdict(int)
    for path, inputs, want in generate(np.random.default_rng(0)):
        entry = "forward"
        if inputs and isinstance(inputs[0], str):
            entry, inputs = inputs[0], inputs[1:]
        for library, module in zip(libraries, modules):
            if isinstance(module, dyn.RunnerModule):
                got = module.call(entry, *inputs)
            else:
                got = module.entries[entry](*inputs)
            for i, (g, w) in enumerate(zip(got, want)):
                if not close(g, w if isinstance(w, (Relative, Exact)) else np.asarray(w)):
                    print(f"{name}: MISMATCH on path {path} in {library} output {i}:\n"
                          f"  got  {g!r}\n  want {w!r}")
                    return 1
        runs[path] += 1
    for path in expected_paths:
        print(f"{name}: path {path}: {runs[path]} runs ok")
    missing = [p for p in expected_paths if runs[p] == 0]
    if missing:
        print(f"{name}: paths never taken: {missing}")
        return 1
    print(f"{name}: all paths taken")
    return 0


if __name__ == "__main__":
    sys.exit(main())
