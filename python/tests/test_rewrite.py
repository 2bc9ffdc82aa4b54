"""The automatic capture of Python control flow (dyn.frontend.rewrite) on
models written in plain Python style: compiled through torch.export, they
match eager PyTorch on inputs that take every path, and what cannot be
captured is an error naming its source line.

Needs PyTorch 2 (skipped under Debian's 1.13); run with the torch 2 venv:
`VENV/bin/python -m pytest python/tests/test_rewrite.py`."""

from __future__ import annotations

import inspect

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

if not hasattr(torch, "cond") or not hasattr(torch, "export"):
    pytest.skip("needs PyTorch 2 (torch.export, torch.cond)", allow_module_level=True)

import dyn  # noqa: E402
from dyn.frontend import rewrite  # noqa: E402
from dyn.frontend.values import UnsupportedError  # noqa: E402


def line_of(fn, text: str) -> int:
    """The source line of `fn` that contains `text`."""
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, ln in enumerate(lines) if text in ln)


def same(got, want) -> bool:
    if isinstance(want, tuple):
        return isinstance(got, tuple) and len(got) == len(want) and \
            all(same(g, w) for g, w in zip(got, want))
    if isinstance(want, torch.Tensor):
        return isinstance(got, torch.Tensor) and got.shape == want.shape and \
            got.dtype == want.dtype and torch.allclose(got, want, atol=1e-5, rtol=1e-5)
    return type(got) is type(want) and got == want


def compile_and_check(model, example, inputs, path, paths_expected, **kw):
    """Compiles `model` unmodified; every input matches eager and the inputs
    take every path in `paths_expected`."""
    model = model.eval()
    compiled = dyn.compile(model, example, frontend="export", **kw)
    seen = set()
    with torch.no_grad():
        # The rewritten copy means what the model means, when not traced.
        copy = rewrite.capture_control_flow(model)
        for args in inputs:
            want = model(*args)
            assert same(copy(*args), want)
            assert same(compiled(*args), want), (compiled(*args), want)
            seen.add(path(model, *args))
    assert seen == paths_expected, seen
    return compiled


# -- gated blocks: if / elif / else on tensors ----------------------------------------
class GatedBlocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate = nn.Linear(16, 1)
        self.blocks = nn.ModuleList([nn.Linear(16, 16) for _ in range(3)])
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        for block in self.blocks:
            if torch.sigmoid(self.gate(x)).mean() > 0.5:
                x = torch.relu(block(x)) + x
            elif x.mean() > 0:
                x = x * 0.5
            else:
                scale = x.abs().mean()
                x = x / (scale + 1)
        return self.head(x)


def gated_path(model, x):
    bits = ""
    for block in model.blocks:
        if torch.sigmoid(model.gate(x)).mean() > 0.5:
            bits, x = bits + "a", torch.relu(block(x)) + x
        elif x.mean() > 0:
            bits, x = bits + "b", x * 0.5
        else:
            bits, x = bits + "c", x / (x.abs().mean() + 1)
    return bits[0]


def test_gated_blocks():
    torch.manual_seed(1)
    model = GatedBlocks()
    model.gate.bias.data.fill_(0.0)
    inputs = [(torch.randn(b, 16) * s + o,) for b in (1, 3) for s in (0.5, 4)
              for o in (-3.0, 0.0, 3.0)]
    compiled = compile_and_check(model, (torch.randn(2, 16),), inputs, gated_path,
                                 {"a", "b", "c"})
    assert compiled.mlir.count("dyn.cond") >= 6  # if + elif per block


# -- early exit: `return` inside a loop over layers -------------------------------------
class EarlyExit(nn.Module):
    def __init__(self, threshold: float = 0.6):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(16, 16) for _ in range(4)])
        self.exits = nn.ModuleList([nn.Linear(16, 3) for _ in range(4)])
        self.threshold = threshold

    def forward(self, x):
        for i, (layer, exit_) in enumerate(zip(self.layers, self.exits)):
            x = torch.tanh(layer(x))
            logits = exit_(x)
            if F.softmax(logits, -1).max(-1)[0].min() > self.threshold:
                return logits, i
        return logits, len(self.layers)


def test_early_exit_return_in_loop():
    torch.manual_seed(2)
    model = EarlyExit()
    for head in model.exits:  # confident enough to exit at times
        head.weight.data *= 8
    inputs = [(torch.randn(b, 16) * scale,) for scale in (0.1, 1, 3, 10, 30)
              for b in (1, 2) for _ in range(2)]
    exits = {model(*a)[1] for a in inputs}
    assert len(exits) >= 3 and 4 in exits, exits  # early exits and the last
    compile_and_check(model, (torch.randn(2, 16),), inputs, lambda m, x: m(x)[1], exits)


# -- a decoding `while` loop with `break` -----------------------------------------------
class Decoder(nn.Module):
    """Greedy decoding until the end token (a Python-int bounded `while`
    that breaks on a tensor): the output grows by one token per step."""

    def __init__(self, vocab: int = 12, dim: int = 16, end: int = 1, max_len: int = 6):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.cell = nn.GRUCell(dim, dim)
        self.out = nn.Linear(dim, vocab)
        self.end, self.max_len = end, max_len

    def forward(self, h):
        token = torch.zeros(1, dtype=torch.long)
        tokens = token
        steps = 0
        while steps < self.max_len:
            h = self.cell(self.embed(token), h)
            token = self.out(h).argmax(-1)
            tokens = torch.cat([tokens, token])
            if token.item() == self.end:
                break
            steps += 1
        return tokens


def test_decoding_while_with_break():
    torch.manual_seed(3)
    model = Decoder()
    inputs = [(torch.randn(1, 16) * s,) for s in (0.1, 1, 2, 4, 8) for _ in range(4)]
    lengths = {len(model(*a)) for a in inputs}
    assert len(lengths) >= 2 and 7 in lengths, lengths  # stopped early and ran out
    compile_and_check(model, (torch.randn(1, 16),), inputs, lambda m, h: len(m(h)), lengths,
                      dynamic_dims={0: []})


# -- routing by .item() ---------------------------------------------------------------------
class Router(nn.Module):
    def __init__(self):
        super().__init__()
        self.router = nn.Linear(8, 3)
        self.experts = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
        self.scales = [1.0, 2.0, 3.0]

    def forward(self, x):
        k = self.router(x).mean(0).argmax().item()
        y = self.experts[k](x) * self.scales[k]
        if k == 0:
            y = y + 1
        return y, k


def test_routing_by_item():
    torch.manual_seed(4)
    model = Router()
    inputs = [(torch.randn(b, 8) * 3,) for b in (1, 2, 5) for _ in range(8)]
    experts = {model(*a)[1] for a in inputs}
    assert experts == {0, 1, 2}, experts
    compile_and_check(model, (torch.randn(2, 8),), inputs, lambda m, x: m(x)[1], experts)


# -- a `for` over a dynamic length ----------------------------------------------------------
class RunningSum(nn.Module):
    """`for t in range(x.size(0))` with x's dim 0 dynamic: a while loop, not
    the example's trip count unrolled."""

    def __init__(self):
        super().__init__()
        self.cell = nn.Linear(8, 8)

    def forward(self, x):
        h = torch.zeros(x.size(1), 8)
        for t in range(x.size(0)):
            h = torch.tanh(self.cell(x[t]) + h)
        return h


def test_for_range_over_dynamic_length():
    torch.manual_seed(5)
    model = RunningSum()
    inputs = [(torch.randn(t, b, 8),) for t in (1, 2, 5, 9) for b in (1, 3)]
    compiled = compile_and_check(model, (torch.randn(4, 2, 8),), inputs,
                                 lambda m, x: x.size(0), {1, 2, 5, 9},
                                 dynamic_dims={0: [0, 1]})
    assert "dyn.while" in compiled.mlir


# -- a `while` on a tensor ------------------------------------------------------------------
class Halving(nn.Module):
    """Halves until the norm is small: the trip count depends on the data."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(6, 6)

    def forward(self, x):
        x = self.proj(x)
        steps = 0
        while x.norm() > 1.0:
            x = x * 0.5
            steps = steps + 1
        return x, steps


def test_while_on_a_tensor():
    torch.manual_seed(6)
    model = Halving()
    inputs = [(torch.randn(b, 6) * s,) for b in (1, 3) for s in (0.01, 1, 10, 100)]
    steps = {model(*a)[1] for a in inputs}
    assert len(steps) >= 4, steps
    compiled = compile_and_check(model, (torch.randn(2, 6),), inputs, lambda m, x: m(x)[1], steps)
    assert "dyn.while" in compiled.mlir


# -- Python that TorchScript refuses ----------------------------------------------------
class Pythonic(nn.Module):
    """A dict of modules looked up by formatted keys, `try`, a generator, a
    list indexed by Python ints: torch.jit.script refuses each of these."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleDict({f"block_{i}": nn.Linear(8, 8) for i in range(3)})
        self.order = [2, 0, 1]

    def forward(self, x):
        try:
            scale = self.scale
        except AttributeError:
            scale = 0.5
        for i in (k for k in self.order if k != 1):
            block = self.blocks[f"block_{i}"]
            if block(x).mean() > 0:
                x = torch.relu(block(x)) + x
        return x * scale


def test_python_that_torchscript_refuses():
    torch.manual_seed(7)
    model = Pythonic()
    with pytest.raises(Exception):
        torch.jit.script(model)
    inputs = [(torch.randn(b, 8) * s + o,) for b in (1, 4) for s in (0.5, 3)
              for o in (-2.0, 2.0)]

    def path(m, x):
        block = m.blocks["block_2"]
        return bool(block(x).mean() > 0)

    compile_and_check(model, (torch.randn(2, 8),), inputs, path, {True, False})


# -- break and continue on tensors: exit flags -------------------------------------------
class TensorWhileBreak(nn.Module):
    """A `while` on a tensor that also breaks on one: one torch.while_loop
    whose condition tests the exit flag."""

    def forward(self, x):
        steps = 0
        while x.sum() < 100:
            x = x * 2
            steps += 1
            if x.max() > 50:
                break
        return x, steps


def while_break_path(m, x):
    steps = 0
    while x.sum() < 100:
        x, steps = x * 2, steps + 1
        if x.max() > 50:
            return "break"
    return "condition"


def test_while_on_a_tensor_with_break():
    model = TensorWhileBreak()
    spike = torch.full((3, 4), 0.01)
    spike[1, 2] = 30.0  # exceeds 50 while the sum is still under 100
    inputs = [(torch.rand(3, 4) * s + o,) for s, o in ((1, 1), (0.1, 0.5), (1, 0.01))]
    inputs += [(spike,), (spike * 0.3,), (spike + 1,)]
    compiled = compile_and_check(model, (torch.rand(3, 4) + 1,), inputs, while_break_path,
                                 {"break", "condition"})
    assert compiled.mlir.count("dyn.while") == 1


class LongScan(nn.Module):
    """`for` over 40 steps that skips some (`continue`) and stops early
    (`break`) on tensors, and a `for ... else`: beyond what unrolling into
    nested conds reaches (rewrite.MAX_UNROLLED), so a torch.while_loop
    after the first step."""

    def __init__(self):
        super().__init__()
        self.cell = nn.Linear(8, 8)

    def forward(self, x):
        h = torch.zeros(1, 8)
        for t in range(40):
            h = torch.tanh(self.cell(h) + x)
            if h.mean() < -0.2:
                continue
            x = x * 0.9
            if h.sum() > 3.0:
                break
        else:
            h = h * 0
        return h, x


def scan_path(m, x):
    h = torch.zeros(1, 8)
    skipped = False
    for t in range(40):
        h = torch.tanh(m.cell(h) + x)
        if h.mean() < -0.2:
            skipped = True
            continue
        x = x * 0.9
        if h.sum() > 3.0:
            return ("break", skipped)
    return ("ran out", skipped)


def test_for_with_break_and_continue_beyond_unrolling():
    torch.manual_seed(8)
    model = LongScan()
    inputs = [(torch.randn(1, 8) * s + o,) for s in (0.5, 2) for o in (-2.0, -0.3, 0.0, 1.0)]
    paths = {scan_path(model, *a) for a in inputs}
    assert {p[0] for p in paths} == {"break", "ran out"} and (True in {p[1] for p in paths})
    compiled = compile_and_check(model, (torch.randn(1, 8),), inputs, scan_path, paths)
    assert "dyn.while" in compiled.mlir


class LayerBreak(nn.Module):
    """`break` out of a loop over a ModuleList: the iterations after a
    break on a tensor run under a cond on the flag, one after the other
    (not nested)."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(8, 8) for _ in range(6)])

    def forward(self, x):
        used = 0
        for layer in self.layers:
            x = torch.relu(layer(x)) + x
            used = used + 1
            if x.norm() > 6:
                break
        return x, used


def test_break_out_of_a_loop_over_layers():
    torch.manual_seed(9)
    model = LayerBreak()
    inputs = [(torch.randn(1, 8) * s,) for s in (0.1, 0.5, 1, 2, 4, 8) for _ in range(2)]
    used = {model(*a)[1] for a in inputs}
    assert len(used) >= 3, used
    compiled = compile_and_check(model, (torch.randn(1, 8),), inputs, lambda m, x: m(x)[1], used)
    assert compiled.mlir.count("dyn.cond") >= 6


# -- what cannot be captured ----------------------------------------------------------------
class UnboundedGrowth(nn.Module):
    """A `while` on a tensor growing its carried tensor by one row per
    iteration: no bound to size a buffer by, and not unrollable."""

    def forward(self, x):
        rows = x[:1]
        while rows.sum() < 100:
            rows = torch.cat([rows, rows[-1:] * 2])
        return rows


class DynamicRangeReturn(nn.Module):
    def forward(self, x):
        for t in range(x.size(0)):
            if x[t].sum() > 0:
                return x[t]
        return x[0]


@pytest.mark.parametrize("model, text", [
    (UnboundedGrowth(), "while rows.sum() < 100"),
    (DynamicRangeReturn(), "for t in range(x.size(0))"),
])
def test_uncapturable_is_located(model, text):
    line = line_of(type(model).forward, text)
    with pytest.raises(UnsupportedError, match=rf"test_rewrite.py:{line}: "):
        dyn.compile(model, (torch.rand(3, 4) + 1,), frontend="export")


def test_source_rewrite_keeps_python_semantics():
    """Python conditions run as Python: the rewritten forward of a module
    branching on attributes and shapes gives the same results eagerly,
    and the caller's module is not modified."""
    class Static(nn.Module):
        def __init__(self):
            super().__init__()
            self.double = True

        def forward(self, x):
            if self.double and x.dim() == 2:
                y = x * 2
            else:
                y = x
            for _ in range(3):
                y = y + 1
            return y

    model = Static()
    copy = rewrite.capture_control_flow(model)
    assert type(model).forward is Static.forward and "forward" not in vars(model)
    for x in (torch.randn(2, 3), torch.randn(3)):
        torch.testing.assert_close(copy(x), model(x))
