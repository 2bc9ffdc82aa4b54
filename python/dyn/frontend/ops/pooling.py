"""Pooling over any number of spatial dims, with PyTorch's every option:
dilation, ceil_mode windows that overhang, count_include_pad=False,
divisor_override, adaptive windows that do not tile the input, and
pairwise distances (cdist / pdist), which are windowed reductions too.

The common 2-d cases keep TOSA's pooling ops (aten::max_pool2d and
avg_pool2d in linalg.py, which lower to linalg's named pooling ops); the
rest are a linalg.generic over the output and the window: each window
element is read with `tensor.extract` where it lies inside the input and
left out where it does not, as PyTorch's kernels do, and averages divide
by PyTorch's divisor.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import torch

from dyn.frontend.emitter import float_literal
from dyn.frontend.registry import handles, inputs
from dyn.frontend.values import ListVal, NoneVal, ScalarVal, TensorVal

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer


def _ints(imp: Importer, v, n: int, default=None) -> list[int]:
    if isinstance(v, ListVal) and not v.items and default is not None:
        return list(default)
    values = imp.const_list(v) if isinstance(v, ListVal) else [imp.const_int(v)]
    return values * n if len(values) == 1 else values


def out_extent(n: int, k: int, s: int, p: int, dil: int, ceil: bool) -> int:
    """PyTorch's pooling_output_shape."""
    span = n + 2 * p - dil * (k - 1) - 1
    out = (span + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return out


def _lowest(elt: str) -> str:
    if elt.startswith(("f", "bf")):
        return {"f16": "0xFC00", "bf16": "0xFF80", "f32": "0xFF800000",
                "f64": "0xFFF0000000000000"}[elt]
    return str(-(2 ** (int(elt[1:]) - 1)))


def window_pool(imp: Importer, x: TensorVal, kind: str, kernel, stride, padding, dilation,
                ceil: bool, count_include_pad: bool = True, divisor=None) -> TensorVal:
    """Max or average pooling of x's last len(kernel) dims (N, C, ... in
    front)."""
    dims = len(kernel)
    lead = x.rank - dims
    spatial = x.shape[lead:]
    if None in spatial:
        raise imp.fail("pooling windows over dynamic spatial dims")
    outs = [out_extent(n, k, s, p, d, ceil)
            for n, k, s, p, d in zip(spatial, kernel, stride, padding, dilation)]
    shape = list(x.shape[:lead]) + outs
    sizes = [imp.dim_value(x, k) for k in range(lead) if x.shape[k] is None]
    f = x.elt.startswith(("f", "bf"))
    init_value = _lowest(x.elt) if kind == "max" else ("0.0" if f else "0")
    empty = imp.e.op(f"tensor.empty({', '.join(sizes)}) : {TensorVal('', shape, x.elt).type}")
    fill = imp.e.constant(init_value, x.elt)
    init = imp.e.op(f"linalg.fill ins({fill} : {x.elt}) outs({empty} : "
                    f"{TensorVal('', shape, x.elt).type}) -> {TensorVal('', shape, x.elt).type}")
    true = imp.e.constant("1", "i1")

    def body(args, acc):
        coords = [imp.loop(k) for k in range(lead)]
        inside = true
        for i in range(dims):
            o, w = imp.loop(lead + i), imp.loop(len(shape) + i)
            start = imp.e.op(f"arith.muli {o}, {imp.index(stride[i])} : index")
            offset = imp.e.op(f"arith.muli {w}, {imp.index(dilation[i])} : index")
            pos = imp.e.op(f"arith.subi {imp.e.op(f'arith.addi {start}, {offset} : index')}, "
                           f"{imp.index(padding[i])} : index")
            ok = imp.in_bounds(pos, imp.index(spatial[i]))
            inside = imp.e.op(f"arith.andi {inside}, {ok} : i1")
            coords.append(imp.clamp_index(pos, imp.index(spatial[i])))
        v = imp.extract(x, coords)
        if kind == "max":
            combined = imp.e.op(f"arith.{'maximumf' if f else 'maxsi'} {acc}, {v} : {x.elt}")
        else:
            combined = imp.e.op(f"arith.add{'f' if f else 'i'} {acc}, {v} : {x.elt}")
        return imp.e.op(f"arith.select {inside}, {combined}, {acc} : {x.elt}")
    pooled = imp.generic([], shape, x.elt, body, init=init, reductions=list(kernel))
    if kind == "max":
        return pooled
    if divisor is not None:
        return imp.binary("tosa.mul", pooled, ScalarVal("f64", None, 1.0 / divisor))
    grid = window_counts(spatial, kernel, stride, padding, outs, count_include_pad)
    weights = (1.0 / grid).astype(np.float32).reshape([1] * lead + outs)
    return imp.binary("tosa.mul", pooled, imp.constant_tensor(torch.from_numpy(weights)))


def window_counts(spatial, kernel, stride, padding, outs, count_include_pad: bool) -> np.ndarray:
    """PyTorch's divisor of each average-pooling window (an array of the
    output's spatial shape): its extent clipped to the padded input
    (count_include_pad) or to the input, per axis."""
    counts = []
    for n, k, s, p, o in zip(spatial, kernel, stride, padding, outs):
        starts = np.arange(o) * s - p
        ends = np.minimum(starts + k, n + p)
        if not count_include_pad:
            ends = np.minimum(ends, n)
            starts = np.maximum(starts, 0)
        counts.append(ends - starts)
    grid = counts[0]
    for c in counts[1:]:
        grid = np.multiply.outer(grid, c)
    return grid


@handles("aten::avg_pool3d", "aten::avg_pool1d")
def _avg_pool(imp: Importer, node):
    """avg_poolNd(x, kernel, stride, padding, ceil_mode, count_include_pad,
    divisor_override)."""
    args = inputs(imp, node)
    n = 3 if node.kind().endswith("3d") else 1
    x = imp.tensor(args[0])
    kernel = _ints(imp, args[1], n)
    stride = _ints(imp, args[2], n, kernel)
    padding = _ints(imp, args[3], n)
    ceil, include = bool(args[4].const), bool(args[5].const)
    divisor = args[6] if len(args) > 6 and not isinstance(args[6], NoneVal) else None
    return window_pool(imp, x, "avg", kernel, stride, padding, [1] * n, ceil, include,
                       None if divisor is None else imp.const_int(divisor))


@handles("aten::max_pool3d", "aten::max_pool1d")
def _max_pool(imp: Importer, node):
    """max_poolNd(x, kernel, stride, padding, dilation, ceil_mode)."""
    args = inputs(imp, node)
    n = 3 if node.kind().endswith("3d") else 1
    x = imp.tensor(args[0])
    kernel = _ints(imp, args[1], n)
    stride = _ints(imp, args[2], n, kernel)
    return window_pool(imp, x, "max", kernel, stride, _ints(imp, args[3], n),
                       _ints(imp, args[4], n), bool(args[5].const))


def adaptive_avg_pool(imp: Importer, x: TensorVal, sizes: list[int]) -> TensorVal:
    """PyTorch's adaptive windows: [floor(o n / out), ceil((o + 1) n / out))
    per axis, as a masked sum over the largest window and a constant
    divisor per output."""
    dims = len(sizes)
    lead = x.rank - dims
    spatial = x.shape[lead:]
    if None in spatial:
        raise imp.fail("adaptive pooling over dynamic spatial dims")
    bounds = []
    for n, o in zip(spatial, sizes):
        starts = [(i * n) // o for i in range(o)]
        ends = [-(-((i + 1) * n) // o) for i in range(o)]
        bounds.append((starts, ends))
    windows = [max(e - s for s, e in zip(*b)) for b in bounds]
    shape = list(x.shape[:lead]) + list(sizes)
    init = imp.filled(shape, x.elt, [(x, k) for k in range(lead)] + [None] * dims)
    tables = [imp.constant_tensor(torch.tensor(b[0], dtype=torch.int64)) for b in bounds]
    ends = [imp.constant_tensor(torch.tensor(b[1], dtype=torch.int64)) for b in bounds]
    true = imp.e.constant("1", "i1")

    def body(args, acc):
        coords = [imp.loop(k) for k in range(lead)]
        inside = true
        for i in range(dims):
            o, w = imp.loop(lead + i), imp.loop(len(shape) + i)
            start = imp.index_of(imp.extract(tables[i], [o]), "i64")
            end = imp.index_of(imp.extract(ends[i], [o]), "i64")
            pos = imp.e.op(f"arith.addi {start}, {w} : index")
            ok = imp.e.op(f"arith.cmpi slt, {pos}, {end} : index")
            inside = imp.e.op(f"arith.andi {inside}, {ok} : i1")
            coords.append(imp.clamp_index(pos, imp.index(spatial[i])))
        total = imp.e.op(f"arith.addf {acc}, {imp.extract(x, coords)} : {x.elt}")
        return imp.e.op(f"arith.select {inside}, {total}, {acc} : {x.elt}")
    summed = imp.generic([], shape, x.elt, body, init=init, reductions=windows)
    grid = np.ones([], dtype=np.float64)
    for starts, ends_ in bounds:
        grid = np.multiply.outer(grid, np.array(ends_) - np.array(starts))
    weights = (1.0 / grid).astype(np.float32).reshape([1] * lead + list(sizes))
    return imp.binary("tosa.mul", summed, imp.constant_tensor(torch.from_numpy(weights)))


@handles("aten::_adaptive_avg_pool3d", "aten::adaptive_avg_pool3d", "aten::adaptive_avg_pool1d")
def _adaptive_avg_pool_nd(imp: Importer, node):
    x, size = inputs(imp, node)[:2]
    x = imp.tensor(x)
    n = 1 if node.kind().endswith("1d") else 3
    return adaptive_avg_pool(imp, x, _ints(imp, size, n))


# -- pairwise distances --------------------------------------------------------------
def _distances(imp: Importer, a: TensorVal, b: TensorVal, p: float) -> TensorVal:
    """out[..., i, j] = ||a[..., i, :] - b[..., j, :]||_p (batch dims equal)."""
    if a.rank != b.rank or a.rank < 2:
        raise imp.fail("cdist of tensors of different ranks")
    lead = a.rank - 2
    shape = list(a.shape[:lead]) + [a.shape[-2], b.shape[-2]]
    like = [(a, k) for k in range(lead)] + [(a, lead), (b, lead)]
    k = a.rank  # the reduction loop over the feature dim
    batch = [f"d{i}" for i in range(lead)]
    ins = [(a, batch + [f"d{lead}", f"d{k}"]), (b, batch + [f"d{lead + 1}", f"d{k}"])]
    elt = a.elt
    init_value = 0.0
    inf = math.isinf(p)

    def body(args, acc):
        diff = imp.e.op(f"math.absf {imp.e.op(f'arith.subf {args[0]}, {args[1]} : {elt}')} : {elt}")
        if inf:
            return imp.e.op(f"arith.maximumf {acc}, {diff} : {elt}")
        if p == 0:
            zero = imp.e.constant("0.0", elt)
            nonzero = imp.e.op(f"arith.cmpf une, {diff}, {zero} : {elt}")
            term = imp.e.op(f"arith.uitofp {nonzero} : i1 to {elt}")
        elif p == 1:
            term = diff
        elif p == 2:
            term = imp.e.op(f"arith.mulf {diff}, {diff} : {elt}")
        else:
            exponent = imp.e.constant(float_literal(p), elt)
            term = imp.e.op(f"math.powf {diff}, {exponent} : {elt}")
        return imp.e.op(f"arith.addf {acc}, {term} : {elt}")
    init = imp.filled(shape, elt, like, init_value)
    extent = a.shape[-1] if a.shape[-1] is not None else imp.dim_value(a, a.rank - 1)
    total = imp.generic(ins, shape, elt, body, init=init, reductions=[extent])
    if inf or p in (0, 1):
        return total
    if p == 2:
        return _sqrt(imp, total)
    return imp.binary("tosa.pow", total, ScalarVal("f64", None, 1.0 / p))


def _sqrt(imp: Importer, t: TensorVal) -> TensorVal:
    return imp.generic([(t, [f"d{k}" for k in range(t.rank)])], list(t.shape), t.elt,
                       lambda args, acc: imp.e.op(f"math.sqrt {args[0]} : {t.elt}"),
                       sizes=imp.sizes_of(t.shape, [(t, k) for k in range(t.rank)]))


@handles("aten::_cdist_forward")
def _cdist(imp: Importer, node):
    """_cdist_forward(x1, x2, p, compute_mode): the direct sum (PyTorch
    switches to a matmul form for p = 2 beyond 25 rows; the two agree to
    rounding)."""
    a, b, p = inputs(imp, node)[:3]
    a, b = imp.tensor(a), imp.tensor(b)
    if not a.elt.startswith(("f", "bf")):
        raise imp.fail("cdist of integer tensors")
    return _distances(imp, a, b, float(p.const))


@handles("aten::_pdist_forward")
def _pdist(imp: Importer, node):
    """_pdist_forward(x, p): the distances of rows i < j, row-major."""
    x, p = inputs(imp, node)[:2]
    x = imp.tensor(x)
    n = x.shape[0]
    if x.rank != 2 or n is None:
        raise imp.fail("pdist of other than a matrix with a static number of rows")
    full = _distances(imp, x, x, float(p.const))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    rows = imp.constant_tensor(torch.tensor([i for i, _ in pairs] or [0], dtype=torch.int64))
    cols = imp.constant_tensor(torch.tensor([j for _, j in pairs] or [0], dtype=torch.int64))

    def body(args, acc):
        r = imp.index_of(imp.extract(rows, [imp.loop(0)]), "i64")
        c = imp.index_of(imp.extract(cols, [imp.loop(0)]), "i64")
        return imp.extract(full, [r, c])
    return imp.generic([], [len(pairs)], x.elt, body)


@handles("aten::col2im")
def _col2im(imp: Importer, node):
    """col2im(x, output_size, kernel, dilation, padding, stride) (F.fold):
    out[n, c, h, w] sums the column entries of every (kernel position,
    block) that lands on (h, w): a reduction over the kernel positions."""
    x, size, kernel, dilation, padding, stride = inputs(imp, node)[:6]
    x = imp.tensor(x)
    (oh, ow), (kh, kw) = _ints(imp, size, 2), _ints(imp, kernel, 2)
    (dh, dw), (ph, pw), (sh, sw) = (_ints(imp, v, 2) for v in (dilation, padding, stride))
    if x.rank != 3 or x.shape[1] is None or x.shape[1] % (kh * kw):
        raise imp.fail("col2im of other than [N, C * kernel, blocks] columns")
    c = x.shape[1] // (kh * kw)
    bh = (oh + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    bw = (ow + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if x.shape[2] is not None and x.shape[2] != bh * bw:
        raise imp.fail(f"col2im of {x.shape[2]} blocks into {bh} x {bw}")
    shape = [x.shape[0], c, oh, ow]
    init = imp.filled(shape, x.elt, [(x, 0), None, None, None])

    def axis(o: str, i: str, k_pad: int, k_dil: int, k_stride: int, blocks: int):
        """(block index, whether kernel offset i at output o is a block's)."""
        base = imp.e.op(f"arith.subi {imp.e.op(f'arith.addi {o}, {imp.index(k_pad)} : index')}, "
                        f"{imp.e.op(f'arith.muli {i}, {imp.index(k_dil)} : index')} : index")
        ge = imp.e.op(f"arith.cmpi sge, {base}, {imp.index(0)} : index")
        rem = imp.e.op(f"arith.remsi {base}, {imp.index(k_stride)} : index")
        whole = imp.e.op(f"arith.cmpi eq, {rem}, {imp.index(0)} : index")
        block = imp.e.op(f"arith.divsi {base}, {imp.index(k_stride)} : index")
        lt = imp.e.op(f"arith.cmpi slt, {block}, {imp.index(blocks)} : index")
        ok = imp.e.op(f"arith.andi {imp.e.op(f'arith.andi {ge}, {whole} : i1')}, {lt} : i1")
        return imp.clamp_index(block, imp.index(blocks)), ok

    def body(args, acc):
        n, ch, h, w, i, j = (imp.loop(k) for k in range(6))
        by, oky = axis(h, i, ph, dh, sh, bh)
        bx, okx = axis(w, j, pw, dw, sw, bw)
        offset = imp.e.op(f"arith.addi {imp.e.op(f'arith.muli {i}, {imp.index(kw)} : index')}, "
                          f"{j} : index")
        row = imp.e.op(f"arith.addi {imp.e.op(f'arith.muli {ch}, {imp.index(kh * kw)} : index')}, "
                       f"{offset} : index")
        col = imp.e.op(f"arith.addi {imp.e.op(f'arith.muli {by}, {imp.index(bw)} : index')}, "
                       f"{bx} : index")
        v = imp.extract(x, [n, row, col])
        total = imp.e.op(f"arith.add{'f' if x.elt.startswith(('f', 'bf')) else 'i'} {acc}, {v} "
                         f": {x.elt}")
        return imp.e.op(f"arith.select {imp.e.op(f'arith.andi {oky}, {okx} : i1')}, {total}, "
                        f"{acc} : {x.elt}")
    return imp.generic([], shape, x.elt, body, init=init, reductions=[kh, kw])
