"""Per-sample control flow in a batch (docs/batching.md): the batched zoo
models compile unmodified through both frontends, the compiler raises
their torch.where selects into dyn.batch_cond, and the compiled models
match eager PyTorch on batches whose samples agree, disagree, and at
batch 1."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import pytest
import torch

import dyn
from dyn.compiler import find_dyn_compile, import_module
from dyn.zoo.batched import BATCHED

FRONTENDS = ["torchscript"]
if hasattr(torch, "export") and hasattr(torch, "cond"):
    FRONTENDS.append("export")

# What the selects of each model become: SkipNet's 16 gated blocks and
# BlockDrop's 13 shape-keeping blocks one dyn.batch_cond each, the
# mixture's chain over 4 experts one dyn.batch_switch.
RAISED = {"skipnet": ("dyn.batch_cond", 16), "blockdrop": ("dyn.batch_cond", 13),
          "moe": ("dyn.batch_switch", 1)}


@functools.lru_cache(maxsize=None)
def _compiled(name: str, frontend: str):
    entry = BATCHED[name]
    model = entry.build()
    example = entry.sample(torch.Generator().manual_seed(0), 2)
    return model, dyn.compile(model, example, frontend=frontend)


def _batches(name: str):
    """(label, batch): random batches whose samples disagree, a batch of
    one sample repeated (the samples agree), and batch 1."""
    entry = BATCHED[name]
    g = torch.Generator().manual_seed(7)
    for n in (3, 8, 16):
        yield f"mixed-{n}", entry.sample(g, n)
    for _ in range(3):
        one = entry.sample(g, 1)[0]
        yield "agree", [one.repeat(5, *([1] * (one.dim() - 1)))]
        yield "batch=1", [one]


@pytest.mark.parametrize("frontend", FRONTENDS)
@pytest.mark.parametrize("name", sorted(BATCHED))
def test_matches_eager(name, frontend):
    entry = BATCHED[name]
    model, compiled = _compiled(name, frontend)
    mixed_seen = False
    with torch.no_grad():
        for label, inputs in _batches(name):
            want = model(*inputs)
            got = compiled(*inputs)
            assert got.shape == want.shape, label
            scale = max(1.0, want.abs().max().item())
            error = (got - want).abs().max().item() / scale
            assert error <= entry.tolerance, f"{label}: relative error {error:.2e}"
            assert torch.equal(got.argmax(-1), want.argmax(-1)), label
            shares = entry.branches(model, inputs[0])
            if label != "mixed-3" and label.startswith("mixed"):
                mixed_seen |= any(0 < s < 1 for s in shares)
            if label in ("agree", "batch=1"):
                assert all(s in (0.0, 1.0) for s in shares), (label, shares)
    # Some batch split the samples between the branches of some block.
    assert mixed_seen


def _raised(text: str) -> str:
    dyn_opt = Path(find_dyn_compile()).with_name("dyn-opt")
    return subprocess.run([str(dyn_opt), "--dyn-raise-batch-selects", "-"], input=text,
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("frontend", FRONTENDS)
@pytest.mark.parametrize("name", sorted(BATCHED))
def test_selects_raised(name, frontend):
    """The frontend's IR holds plain selects; the pipeline's raise turns
    every per-sample one into a dyn.batch_cond."""
    entry = BATCHED[name]
    example = entry.sample(torch.Generator().manual_seed(0), 2)
    text, *_ = import_module(entry.build(), example, frontend=frontend)
    op, count = RAISED[name]
    assert op not in text
    raised = _raised(text)
    assert raised.count(op + " ") == count
    assert "tosa.select" not in raised


def test_batch_selects_off_matches():
    """batch_selects=False compiles the selects as written (every expert on
    every token): same results."""
    entry = BATCHED["moe"]
    model = entry.build()
    g = torch.Generator().manual_seed(3)
    plain = dyn.compile(model, entry.sample(g, 2), batch_selects=False)
    with torch.no_grad():
        for n in (1, 6):
            x = entry.sample(g, n)
            torch.testing.assert_close(plain(*x), model(*x), rtol=1e-4, atol=1e-4)
