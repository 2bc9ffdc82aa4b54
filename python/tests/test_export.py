"""dyn.compile(..., frontend="export"): the PyTorch 2 path (torch.export,
Core ATen, torch.cond / torch.while_loop), against eager PyTorch on inputs
that take every path.

Needs PyTorch 2 (torch.export and torch.cond); under Debian's 1.13 the
module is skipped. Run it with the torch 2 venv:
`VENV/bin/python -m pytest python/tests/test_export.py`
(utils/torch-mlir/setup-venv.sh makes one).
"""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

if not hasattr(torch, "cond") or not hasattr(torch, "export"):
    pytest.skip("needs PyTorch 2 (torch.export, torch.cond)", allow_module_level=True)

from torch._higher_order_ops.while_loop import while_loop  # noqa: E402

import dyn  # noqa: E402
from dyn.frontend.values import UnsupportedError  # noqa: E402

torch.manual_seed(0)


def as_tuple(v):
    return v if isinstance(v, tuple) else (v,)


def check(module: nn.Module, example: tuple, inputs: list[tuple], atol: float = 1e-5, **kw):
    compiled = dyn.compile(module, example, frontend="export", **kw)
    with torch.no_grad():
        for args in inputs:
            want, got = as_tuple(module(*args)), as_tuple(compiled(*args))
            assert len(got) == len(want)
            for g, w in zip(got, want):
                assert g.shape == w.shape, (g.shape, w.shape)
                assert g.dtype == w.dtype, (g.dtype, w.dtype)
                scale = max(1.0, w.abs().max().item()) if w.is_floating_point() else 1.0
                assert (g.float() - w.float()).abs().max().item() <= atol * scale
    return compiled


class GatedResidual(nn.Module):
    """A residual block that runs when a learned gate opens (torch.cond),
    then batch norm and a softmax head: Core ATen's addmm, permute,
    _native_batch_norm_legit_no_training, _softmax."""

    def __init__(self):
        super().__init__()
        self.gate = nn.Linear(8, 1)
        self.fc = nn.Linear(8, 8)
        self.bn = nn.BatchNorm1d(8)
        self.bn.running_mean.normal_()
        self.bn.running_var.uniform_(0.5, 2.0)

    def forward(self, x):
        def run(x):
            return torch.relu(self.fc(x)) + x

        def skip(x):
            return x * 2

        y = torch.cond(torch.sigmoid(self.gate(x)).mean() > 0.5, run, skip, (x,))
        return self.bn(y).softmax(-1)


def test_cond_every_branch_and_batch():
    model = GatedResidual().eval()
    compiled = dyn.compile(model, (torch.randn(4, 8),), frontend="export")
    assert "dyn.cond" in compiled.mlir
    taken = set()
    with torch.no_grad():
        for batch in (1, 2, 5, 16):
            for sign in (1.0, -1.0):
                x = torch.randn(batch, 8) * 3 * sign
                taken.add(bool(torch.sigmoid(model.gate(x)).mean() > 0.5))
                torch.testing.assert_close(compiled(x), model(x), rtol=1e-5, atol=1e-5)
    assert taken == {True, False}


class Halting(nn.Module):
    """Halves its input until the squared norm is at most 1: a trip count
    read from the data (torch.while_loop), possibly zero."""

    def forward(self, x):
        def cond(i, v):
            return (v * v).sum() > 1.0

        def body(i, v):
            return i + 1, v * 0.5

        return while_loop(cond, body, (torch.zeros((), dtype=torch.int64), x))


def test_while_loop_trip_counts():
    model = Halting()
    compiled = check(model, (torch.randn(4, 8),),
                     [(torch.randn(b, 8) * s,) for b, s in ((1, 0.01), (3, 0.5), (2, 4.0),
                                                           (7, 100.0))])
    assert "dyn.while" in compiled.mlir
    counts = {int(compiled(torch.randn(2, 8) * s)[0]) for s in (0.01, 4.0, 1000.0)}
    assert 0 in counts and len(counts) == 3


class ConvNet(nn.Module):
    """Convolution, batch norm, ReLU, max pooling, flatten and a linear head
    (aten.convolution, max_pool2d_with_indices, view in Core ATen)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        y = torch.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)
        return self.fc(y.flatten(1))


def test_core_aten_conv_net():
    check(ConvNet().eval(), (torch.randn(2, 3, 8, 8),),
          [(torch.randn(b, 3, 8, 8),) for b in (1, 3)], atol=1e-4)


class Encoder(nn.Module):
    """Layer norm, a GELU MLP and a log-softmax (native_layer_norm,
    _log_softmax in Core ATen)."""

    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(16)
        self.up = nn.Linear(16, 32)
        self.down = nn.Linear(32, 16)

    def forward(self, x):
        h = x + self.down(nn.functional.gelu(self.up(self.norm(x))))
        return torch.log_softmax(h, dim=-1)


def test_core_aten_encoder():
    check(Encoder().eval(), (torch.randn(3, 16),), [(torch.randn(b, 16),) for b in (1, 4, 9)],
          atol=1e-4)


class Unsupported(nn.Module):
    def forward(self, x):
        return torch.fft.fft(x).real


def test_unsupported_op_is_named():
    with pytest.raises(UnsupportedError, match=r"aten::_fft_r2c|aten::fft|unsupported operation"):
        dyn.compile(Unsupported(), (torch.randn(4, 8),), frontend="export")


def test_unknown_frontend():
    with pytest.raises(ValueError, match="unknown frontend"):
        dyn.compile(Halting(), (torch.randn(2, 8),), frontend="fx")


class Attention(nn.Module):
    """Self-attention as torchvision's ViT encoder block has it."""

    def __init__(self):
        super().__init__()
        self.ln = nn.LayerNorm(32)
        self.attention = nn.MultiheadAttention(32, 2, batch_first=True)

    def forward(self, x):
        y = self.ln(x)
        return x + self.attention(y, y, y, need_weights=False)[0]


def test_batch_of_one_example_stays_dynamic():
    """An example batch of one: torch.export would specialize the batch to
    1, and even size-obliviously nn.MultiheadAttention's decomposition
    bakes the 1 in (an expand to [1, heads, ...]); dyn traces such dims at
    size 2, and the batch stays dynamic and right."""
    model = Attention().eval()
    compiled = dyn.compile(model, (torch.randn(1, 5, 32),), frontend="export")
    with torch.no_grad():
        for batch in (1, 3):
            x = torch.randn(batch, 5, 32)
            torch.testing.assert_close(compiled(x), model(x), rtol=1e-5, atol=1e-5)


def test_structured_outputs_keep_their_nesting():
    """What eager returns fixes the outputs: a NamedTuple with a None
    field, a nested tuple, a list, a Python int."""
    from collections import namedtuple
    Heads = namedtuple("Heads", ["logits", "aux", "count"])

    class Structured(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)

        def forward(self, x):
            y = self.fc(x)
            return Heads(y, None, 3), (y.sum(), (y * 2, x)), [y]

    model = Structured().eval()
    compiled = dyn.compile(model, (torch.randn(2, 4),), frontend="export")
    with torch.no_grad():
        for batch in (1, 5):
            x = torch.randn(batch, 4)
            heads, (total, (twice, same)), listed = compiled(x)
            want = model(x)
            assert isinstance(heads, Heads) and heads.aux is None and heads.count == 3
            assert torch.allclose(heads.logits, want[0].logits, atol=1e-5)
            assert torch.allclose(total, want[1][0], atol=1e-5)
            assert torch.allclose(twice, want[1][1][0], atol=1e-5)
            assert torch.equal(same, x)
            assert isinstance(listed, list) and torch.allclose(listed[0], want[2][0], atol=1e-5)
