"""Core ATen ops (what torch.export decomposes to) against eager PyTorch:
one small program per op overload, exported, checked to contain the op,
compiled through dyn.compile(frontend="export") and compared. The keys of
CASES are the "test" column of docs/python.md's Core ATen table.

Needs PyTorch 2 (skipped under Debian's 1.13); run with the torch 2 venv:
`VENV/bin/python -m pytest python/tests/test_core_aten.py`."""

from __future__ import annotations

from typing import Callable

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

g = torch.Generator().manual_seed(0)


def r(*shape, dtype=torch.float32):
    return torch.randn(*shape, generator=g).to(dtype)


_TABLE = r(10, 3)

# overload -> (function of the inputs, inputs)
CASES: dict[str, tuple[Callable, tuple]] = {
    "abs.default": (torch.abs, (r(3, 4),)),
    "add.Tensor": (lambda x, y: x + y, (r(3, 4), r(4))),
    "add.Scalar": (lambda x: torch.ops.aten.add.Scalar(x, 2.5), (r(3, 4),)),
    "sub.Tensor": (lambda x, y: x - 2 * y, (r(3, 4), r(3, 4))),
    "mul.Tensor": (lambda x, y: x * y, (r(2, 3), r(2, 1))),
    "mul.Scalar": (lambda x: torch.ops.aten.mul.Scalar(x, 3.0), (r(3, 4),)),
    "div.Tensor": (lambda x, y: x / (y.abs() + 1), (r(3, 4), r(3, 4))),
    "neg.default": (torch.neg, (r(5),)),
    "exp.default": (torch.exp, (r(3, 4),)),
    "log.default": (lambda x: torch.log(x.abs() + 1), (r(3, 4),)),
    "sqrt.default": (lambda x: torch.sqrt(x.abs()), (r(3, 4),)),
    "rsqrt.default": (lambda x: torch.rsqrt(x.abs() + 0.5), (r(3, 4),)),
    "reciprocal.default": (lambda x: torch.reciprocal(x.abs() + 0.5), (r(3, 4),)),
    "sin.default": (torch.sin, (r(3, 4),)),
    "cos.default": (torch.cos, (r(3, 4),)),
    "tanh.default": (torch.tanh, (r(3, 4),)),
    "sigmoid.default": (torch.sigmoid, (r(3, 4),)),
    "erf.default": (torch.erf, (r(3, 4),)),
    "floor.default": (lambda x: torch.floor(x * 3), (r(3, 4),)),
    "ceil.default": (lambda x: torch.ceil(x * 3), (r(3, 4),)),
    "pow.Tensor_Scalar": (lambda x: x ** 2 + x.abs() ** 0.5 + (x.abs() + 1) ** 1.7, (r(3, 4),)),
    "pow.Tensor_Tensor": (lambda x, y: (x.abs() + 0.1) ** y, (r(3, 4), r(3, 4))),
    "relu.default": (torch.relu, (r(3, 4),)),
    "clamp.default": (lambda x: torch.clamp(x, -0.5, 0.7), (r(3, 4),)),
    "maximum.default": (torch.maximum, (r(3, 4), r(3, 4))),
    "minimum.default": (torch.minimum, (r(3, 4), r(4))),
    "where.self": (lambda x, y: torch.where(x > 0, x, y), (r(3, 4), r(3, 4))),
    "gt.Scalar": (lambda x: (x > 0.1).to(torch.float32), (r(3, 4),)),
    "lt.Tensor": (lambda x, y: (x < y).to(torch.float32), (r(3, 4), r(3, 4))),
    "ge.Scalar": (lambda x: (x >= 0).to(torch.float32), (r(3, 4),)),
    "le.Scalar": (lambda x: (x <= 0).to(torch.float32), (r(3, 4),)),
    "eq.Scalar": (lambda x: (x.floor() == 0).to(torch.float32), (r(3, 4),)),
    "ne.Scalar": (lambda x: (x.floor() != 0).to(torch.float32), (r(3, 4),)),
    "logical_not.default": (lambda x: torch.logical_not(x > 0).to(torch.float32), (r(3, 4),)),
    "bitwise_and.Tensor": (lambda x: ((x > 0) & (x < 1)).to(torch.float32), (r(3, 4),)),
    "_to_copy.default": (lambda x: (x * 4).to(torch.int64), (r(3, 4),)),
    "sum.dim_IntList": (lambda x: x.sum(1), (r(3, 4),)),
    "mean.dim": (lambda x: x.mean(-1, keepdim=True), (r(3, 4),)),
    "amax.default": (lambda x: torch.amax(x, 1), (r(3, 4),)),
    "amin.default": (lambda x: torch.amin(x, 0), (r(3, 4),)),
    "argmax.default": (lambda x: torch.argmax(x, 1), (r(3, 4),)),
    "max.dim": (lambda x: torch.max(x, 1)[0], (r(3, 4),)),
    "mm.default": (torch.mm, (r(3, 4), r(4, 5))),
    "bmm.default": (torch.bmm, (r(2, 3, 4), r(2, 4, 5))),
    "addmm.default": (torch.addmm, (r(5), r(3, 4), r(4, 5))),
    "permute.default": (lambda x: x.permute(2, 0, 1), (r(2, 3, 4),)),
    "view.default": (lambda x: x.reshape(4, 6), (r(2, 3, 4),)),
    "unsqueeze.default": (lambda x: x.unsqueeze(1) * 1, (r(3, 4),)),
    "squeeze.dims": (lambda x: x.squeeze(1) * 1, (r(3, 1, 4),)),
    "cat.default": (lambda x, y: torch.cat([x, y], 1), (r(3, 4), r(3, 2))),
    "slice.Tensor": (lambda x: x[:, 1:3] * 1, (r(3, 4),)),
    "select.int": (lambda x: x[:, 2] * 1, (r(3, 4),)),
    "split_with_sizes.default": (lambda x: torch.split(x, [1, 3], 1)[1] * 1, (r(3, 4),)),
    "expand.default": (lambda x: x.expand(3, 4) * 1, (r(1, 4),)),
    "clone.default": (lambda x: x.clone(), (r(3, 4),)),
    "full.default": (lambda x: x + torch.full((3, 4), 2.0), (r(3, 4),)),
    "embedding.default": (nn.Embedding(10, 2), (torch.tensor([[1, 4], [9, 0]]),)),
    "convolution.default": (nn.Conv2d(3, 2, 3, padding=1), (r(1, 3, 6, 6),)),
    "max_pool2d_with_indices.default": (
        lambda x: F.max_pool2d(x, 2) .sum() + F.max_pool2d(x, 3, 2, ceil_mode=True).sum((2, 3))
        + F.max_pool2d(x, 2, 1, dilation=2).mean()
        + F.max_pool2d(x, 3, 2, 1, ceil_mode=True).mean((2, 3)), (r(1, 2, 8, 8),)),
    "avg_pool2d.default": (lambda x: F.avg_pool2d(x, 2) + F.avg_pool2d(
        x, 3, 2, 1, ceil_mode=True, count_include_pad=False).sum() + F.avg_pool2d(
        x, 2, 1, divisor_override=3).mean() + F.avg_pool2d(x, 3, 2, 1)
        + F.avg_pool2d(x, (3, 2), (2, 1), (1, 1)).mean(), (r(1, 2, 6, 6),)),
    "_adaptive_avg_pool2d.default": (lambda x: F.adaptive_avg_pool2d(x, (3, 2))
                                     + F.adaptive_avg_pool2d(x, (4, 5)).mean(),
                                     (r(1, 2, 6, 6),)),
    "_softmax.default": (lambda x: torch.softmax(x, -1), (r(3, 4),)),
    "_log_softmax.default": (lambda x: torch.log_softmax(x, -1), (r(3, 4),)),
    "native_layer_norm.default": (lambda x: F.layer_norm(x, (4,)), (r(3, 4),)),
    "_native_batch_norm_legit_no_training.default": (nn.BatchNorm2d(3), (r(2, 3, 4, 4),)),
    "log1p.default": (lambda x: torch.log1p(x.abs()), (r(3, 4),)),
    "log2.default": (lambda x: torch.log2(x.abs() + 0.1), (r(3, 4),)),
    "log10.default": (lambda x: torch.log10(x.abs() + 0.1), (r(3, 4),)),
    "expm1.default": (torch.expm1, (r(3, 4),)),
    "tan.default": (lambda x: torch.tan(x * 0.5), (r(3, 4),)),
    "trunc.default": (lambda x: torch.trunc(x * 3), (r(3, 4),)),
    "sign.default": (torch.sign, (r(3, 4),)),
    "isnan.default": (lambda x: torch.isnan(torch.log(x)).to(torch.float32), (r(3, 4),)),
    "bitwise_not.default": (lambda x: (~(x > 0)).to(torch.float32), (r(3, 4),)),
    "logical_xor.default": (lambda x, y: torch.logical_xor(x > 0, y > 0).to(torch.float32),
                            (r(3, 4), r(3, 4))),
    "leaky_relu.default": (lambda x: F.leaky_relu(x, 0.1), (r(3, 4),)),
    "elu.default": (F.elu, (r(3, 4),)),
    "argmin.default": (lambda x: torch.argmin(x, 0), (r(3, 4),)),
    "prod.dim_int": (lambda x: torch.prod(x, 1), (r(3, 4),)),
    "any.dim": (lambda x: torch.any(x > 1, 1).to(torch.float32), (r(3, 4),)),
    "var.correction": (lambda x: torch.var(x, 1), (r(3, 4),)),
    "full_like.default": (lambda x: torch.full_like(x, 3.0) + x, (r(3, 4),)),
    "scalar_tensor.default": (lambda x: x + torch.ops.aten.scalar_tensor.default(2.0), (r(3, 4),)),
    "arange.start_step": (lambda x: x + torch.arange(4.0), (r(3, 4),)),
    "constant_pad_nd.default": (lambda x: F.pad(x, (1, 2, 0, 1), value=0.5)
                                + F.pad(x, (-1, 1, 1, -1)).sum(), (r(2, 3, 4),)),
    "flip.default": (lambda x: torch.flip(x, [0, 1]), (r(3, 4),)),
    "repeat.default": (lambda x: x.repeat(2, 1, 3), (r(3, 4),)),
    "index_select.default": (lambda x: torch.index_select(x, 1, torch.tensor([3, 0, 0])),
                             (r(3, 4),)),
    "acos.default": (lambda x: torch.acos(x.clamp(-1, 1)), (r(3, 4),)),
    "acosh.default": (lambda x: torch.acosh(x.abs() + 1), (r(3, 4),)),
    "asin.default": (lambda x: torch.asin(x.clamp(-1, 1)), (r(3, 4),)),
    "asinh.default": (torch.asinh, (r(3, 4),)),
    "atan.default": (torch.atan, (r(3, 4),)),
    "atanh.default": (lambda x: torch.atanh(x.clamp(-0.9, 0.9)), (r(3, 4),)),
    "cosh.default": (torch.cosh, (r(3, 4),)),
    "sinh.default": (torch.sinh, (r(3, 4),)),
    "atan2.default": (torch.atan2, (r(3, 4), r(4))),
    "round.default": (lambda x: torch.round(x * 2), (torch.tensor([[0.25, -0.25, 0.75, 1.25]]),)),
    "isinf.default": (lambda x: torch.isinf(1 / (x.floor() + 1)).to(torch.float32), (r(3, 4),)),
    "fmod.Tensor": (torch.fmod, (r(3, 4) * 5, r(3, 4).abs() + 0.5)),
    "fmod.Scalar": (lambda x: torch.fmod(x * 5, 1.5), (r(3, 4),)),
    "bitwise_xor.Tensor": (lambda x, y: (x * 4).to(torch.int64) ^ (y * 4).to(torch.int64),
                           (r(3, 4), r(3, 4))),
    "bitwise_xor.Scalar": (lambda x: (x * 4).to(torch.int64) ^ 5, (r(3, 4),)),
    "gather.default": (lambda x: torch.gather(x, 1, torch.tensor([[3, 0], [1, 1], [2, 0]])),
                       (r(3, 4),)),
    "index.Tensor": (lambda x: x[torch.tensor([2, 0, -1])][:, torch.tensor([[1], [3]])]
                     + x[1:3, torch.tensor([0, 2])].sum(), (r(3, 4),)),
    "diagonal.default": (lambda x: torch.diagonal(x, 1, 0, 2) * 1, (r(3, 2, 4),)),
    "cumsum.default": (lambda x: torch.cumsum(x, 1) + torch.cumsum(x > 0, 0), (r(3, 4),)),
    "sort.default": (lambda x: torch.sort(x, 1, descending=True)[0]
                     + torch.sort(x, 0)[1], (r(3, 4),)),
    "scatter.src": (lambda x, y: torch.scatter(x, 1, torch.tensor([[2, 0], [1, 3]]), y),
                    (r(2, 4), r(2, 3))),
    "scatter.value": (lambda x: torch.scatter(x, 0, torch.tensor([[1, 0, 1, 0]]), 2.5),
                      (r(2, 4),)),
    "scatter_add.default": (lambda x, y: torch.scatter_add(x, 1, torch.tensor([[2, 2], [1, 3]]), y),
                            (r(2, 4), r(2, 3))),
    "scatter_reduce.two": (lambda x, y: torch.scatter_reduce(
        x, 1, torch.tensor([[2, 2], [1, 3]]), y, "amax", include_self=False)
        + torch.scatter_reduce(x, 1, torch.tensor([[0, 0], [1, 1]]), y, "mean"),
        (r(2, 4), r(2, 3))),
    "index_put.default": (lambda x, y: torch.ops.aten.index_put(
        x, [torch.tensor([2, 0])], y) + torch.ops.aten.index_put(
        x, [None, torch.tensor([1, 1])], torch.tensor(1.5), True), (r(3, 4), r(2, 4))),
    "slice_scatter.default": (lambda x, y: torch.slice_scatter(x, y, 1, 1, 4, 2), (r(3, 5), r(3, 2))),
    "as_strided.default": (lambda x: torch.as_strided(x, (3, 3), (1, 2), 1) * 1, (r(3, 4),)),
    "copy.default": (lambda x, y: torch.ops.aten.copy(x, y), (r(3, 4), r(4))),
    "upsample_nearest2d.vec": (lambda x: F.interpolate(x, scale_factor=2) .sum()
                               + F.interpolate(x, size=(5, 3)), (r(1, 2, 4, 6),)),
    "upsample_bilinear2d.vec": (lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear")
                                .mean() + F.interpolate(x, size=(7, 5), mode="bilinear",
                                                        align_corners=True), (r(1, 2, 4, 6),)),
    "grid_sampler_2d.default": (lambda x, grid: F.grid_sample(x, grid, align_corners=False)
                                + F.grid_sample(x, grid, mode="nearest", padding_mode="border",
                                                align_corners=True),
                                (r(2, 3, 5, 4), r(2, 3, 6, 2) * 0.8)),
    "native_group_norm.default": (nn.GroupNorm(2, 4), (r(2, 4, 3, 5),)),
    "_native_batch_norm_legit.no_stats": (nn.InstanceNorm2d(3, affine=True), (r(2, 3, 4, 4),)),
    "avg_pool3d.default": (lambda x: F.avg_pool3d(x, 2) .sum() + F.avg_pool3d(
        x, 3, 2, 1, ceil_mode=True, count_include_pad=False), (r(1, 2, 5, 6, 5),)),
    "max_pool3d_with_indices.default": (lambda x: F.max_pool3d(x, 3, 2, 1, dilation=(1, 2, 1),
                                                               ceil_mode=True), (r(1, 2, 5, 7, 6),)),
    "_adaptive_avg_pool3d.default": (lambda x: F.adaptive_avg_pool3d(x, (2, 3, 4)),
                                     (r(1, 2, 5, 7, 6),)),
    "_cdist_forward.default": (lambda x, y: torch.cdist(x, y) + torch.cdist(x, y, p=1)
                               + torch.cdist(x, y, p=float("inf")) + torch.cdist(x, y, p=3),
                               (r(2, 4, 3), r(2, 5, 3))),
    "_pdist_forward.default": (lambda x: F.pdist(x) + F.pdist(x, 1.5), (r(5, 3),)),
    "_embedding_bag_forward_only.default": (lambda idx, off: F.embedding_bag(idx, _TABLE, off)
                               + F.embedding_bag(idx, _TABLE, off, mode="max")
                               + F.embedding_bag(idx, _TABLE, off, mode="sum",
                                                 per_sample_weights=torch.arange(7.0) / 7),
                               (torch.tensor([1, 4, 4, 9, 0, 3, 2]), torch.tensor([0, 2, 2, 5]))),
    "masked_scatter.default": (lambda x, y: x.masked_scatter(x > 0, y), (r(3, 4), r(4, 4))),
    "masked_select.default": (lambda x: torch.masked_select(x, x > 0) * 2, (r(3, 4),)),
    "empty.memory_format": (lambda x: torch.ops.aten.empty.memory_format([3, 4]).zero_() + x,
                            (r(3, 4),)),
}

if hasattr(torch, "cond") and hasattr(torch, "export"):
    import dyn
    from dyn.frontend import export


class _Unary(nn.Module):
    def __init__(self, fn: Callable):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class _Binary(_Unary):
    def forward(self, x, y):
        return self.fn(x, y)


class _Ternary(_Unary):
    def forward(self, x, y, z):
        return self.fn(x, y, z)


def _ops_of(program) -> set[str]:
    found = set()
    for gm in program.graph_module.modules():
        for node in gm.graph.nodes:
            if isinstance(node.target, torch._ops.OpOverload):
                found.add(str(node.target).replace("aten.", "", 1))
    return found


@pytest.mark.skipif(not (hasattr(torch, "cond") and hasattr(torch, "export")),
                    reason="needs PyTorch 2 (torch.export)")
@pytest.mark.parametrize("overload", sorted(CASES))
def test_core_aten_op(overload):
    fn, args = CASES[overload]
    model = (_Unary, _Binary, _Ternary)[len(args) - 1](fn).eval()
    program = export.export_program(model, args)
    assert overload in _ops_of(program), (overload, sorted(_ops_of(program)))
    compiled = dyn.compile(model, args, frontend="export",
                           dynamic_dims={i: [] for i in range(len(args))})
    want, got = model(*args), compiled(*args)
    assert got.shape == want.shape and got.dtype == want.dtype, (got, want)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


class _IndexingAsModelsWriteIt(nn.Module):
    """Gathers and scatters as models spell them, over a dynamic batch and
    sequence: labels' logits, masked positions zeroed, position ids from a
    padding mask, top-p style sorting, token counts per class."""

    def forward(self, logits, labels):
        picked = torch.gather(logits, 1, labels.unsqueeze(1)).squeeze(1)
        masked = logits.clone()
        masked[logits < 0] = 0.0
        positions = torch.cumsum(logits > 0, 1) * (logits > 0)
        ordered, order = torch.sort(logits, -1, descending=True)
        counts = torch.zeros(logits.shape[0], logits.shape[1]).scatter_add(
            1, order[:, :2], torch.ones(order.shape[0], 2))
        rows = logits[torch.arange(logits.shape[0]), labels]
        return picked + rows, masked + positions + ordered.cumsum(-1) + counts + order


class _Nonzero(nn.Module):
    """Routing as MoE layers write it: the tokens each expert takes."""

    def forward(self, x):
        chosen = torch.nonzero(x > 0.5)
        kept = x[x[:, 0] > 0]
        return (chosen, x[chosen[:, 0]].sum(0) + chosen.shape[0], kept * 2,
                torch.masked_select(x, x > 0.2), x[:, x[0] > 0].sum(1))


@pytest.mark.skipif(not (hasattr(torch, "cond") and hasattr(torch, "export")),
                    reason="needs PyTorch 2 (torch.export)")
def test_nonzero_has_a_run_time_size():
    model = _Nonzero().eval()
    compiled = dyn.compile(model, (r(5, 3),), frontend="export", dynamic_dims={0: [0]})
    for x in (r(5, 3), r(1, 3), r(8, 3), torch.zeros(4, 3), torch.ones(2, 3)):
        for got, want in zip(compiled(x), model(x)):
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(not (hasattr(torch, "cond") and hasattr(torch, "export")),
                    reason="needs PyTorch 2 (torch.export)")
def test_indexing_with_dynamic_sizes():
    model = _IndexingAsModelsWriteIt().eval()
    example = (r(4, 6), torch.tensor([0, 5, 2, 3]))
    compiled = dyn.compile(model, example, frontend="export", dynamic_dims={0: [0, 1], 1: [0]})
    for batch, width in ((4, 6), (1, 3), (7, 9)):
        args = (r(batch, width), torch.randint(0, width, (batch,), generator=g))
        for got, want in zip(compiled(*args), model(*args)):
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(not (hasattr(torch, "cond") and hasattr(torch, "export")),
                    reason="needs PyTorch 2 (torch.export)")
def test_conv1d_is_a_2d_convolution():
    model = nn.Sequential(nn.Conv1d(4, 6, 3, padding=1), nn.ReLU(),
                          nn.Conv1d(6, 6, 5, stride=2, dilation=2, groups=3, padding=2)).eval()
    compiled = dyn.compile(model, (r(2, 4, 20),), frontend="export")
    for batch in (2, 1, 3):
        x = r(batch, 4, 20)
        torch.testing.assert_close(compiled(x), model(x), rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(not (hasattr(torch, "cond") and hasattr(torch, "export")),
                    reason="needs PyTorch 2 (torch.export)")
def test_transposed_convolution():
    model = nn.Sequential(nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1),
                          nn.ReLU(), nn.ConvTranspose2d(6, 4, (2, 3), stride=(1, 2),
                                                        dilation=(2, 1), groups=2)).eval()
    compiled = dyn.compile(model, (r(2, 4, 5, 6),), frontend="export")
    for batch in (2, 1, 3):
        x = r(batch, 4, 5, 6)
        torch.testing.assert_close(compiled(x), model(x), rtol=1e-5, atol=1e-5)
