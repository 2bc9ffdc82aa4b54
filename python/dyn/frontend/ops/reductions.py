"""Reductions: sums, means, max/min with indices, argmax, top-k."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from dyn.frontend.ops.shape import _size_of
from dyn.frontend.registry import handles, inputs
from dyn.frontend.values import ListVal, NoneVal, ScalarVal, TensorVal, tensor_type

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer

def _dims_arg(imp: Importer, t: TensorVal, v) -> list[int]:
    # None and an empty list both mean every dim (aten's `sum.dim_IntList`
    # with `dim=[]`, which Core ATen writes for `x.sum()`).
    if isinstance(v, NoneVal) or (isinstance(v, ListVal) and not v.items):
        return list(range(t.rank))
    if isinstance(v, ListVal):
        return [imp.const_int(x) % t.rank for x in v.items]
    return [imp.const_int(v) % t.rank]


@handles("aten::sum")
def _sum(imp: Importer, node):
    args = inputs(imp, node)
    t = imp.tensor(args[0])
    if len(args) <= 2:
        return imp.reduce("tosa.reduce_sum", t, list(range(t.rank)), False)
    keep = bool(args[2].const)
    return imp.reduce("tosa.reduce_sum", t, _dims_arg(imp, t, args[1]), keep)


@handles("aten::mean")
def _mean(imp: Importer, node):
    args = inputs(imp, node)
    t = imp.tensor(args[0])
    dims = list(range(t.rank)) if len(args) <= 2 else _dims_arg(imp, t, args[1])
    keep = False if len(args) <= 2 else bool(args[2].const)
    total = imp.reduce("tosa.reduce_sum", t, dims, keep)
    count = 1
    for d in dims:
        if t.shape[d] is None:
            n = imp.cast_elt(imp.tensor(_size_of(imp, t, d), None), t.elt)
            total = imp.binary("tosa.mul", total, imp.unary("tosa.reciprocal", imp.expand_rank(n, total.rank)))
        else:
            count *= t.shape[d]
    return imp.binary("tosa.mul", total, ScalarVal("f64", None, 1.0 / count)) if count != 1 else total


@handles("aten::max", "aten::min")
def _max(imp: Importer, node):
    args = inputs(imp, node)
    op = "tosa.reduce_max" if node.kind() == "aten::max" else "tosa.reduce_min"
    t = imp.tensor(args[0])
    if len(args) == 1:
        return imp.reduce(op, t, list(range(t.rank)), False)
    if isinstance(args[1], TensorVal):
        return imp.binary("tosa.maximum" if node.kind() == "aten::max" else "tosa.minimum", t, args[1])
    d = imp.const_int(args[1]) % t.rank
    keep = bool(args[2].const) if len(args) > 2 else False
    values = imp.reduce(op, t, [d], keep)
    if node.kind() == "aten::min":
        t_neg = imp.binary("tosa.sub", ScalarVal("f64", None, 0.0), t)
        indices = _argmax_of(imp, t_neg, d, keep)
    else:
        indices = _argmax_of(imp, t, d, keep)
    return [values, indices]


@handles("aten::amax", "aten::amin")
def _amax(imp: Importer, node):
    """amax(x, dims, keepdim): the max over `dims` (all for [])."""
    x, dims, keep = inputs(imp, node)
    t = imp.tensor(x)
    dims = imp.const_list(dims) or list(range(t.rank))
    op = "tosa.reduce_max" if node.kind() == "aten::amax" else "tosa.reduce_min"
    return imp.reduce(op, t, dims, bool(keep.const))


def _argmax_of(imp: Importer, t: TensorVal, d: int, keep: bool) -> TensorVal:
    shape = [s for i, s in enumerate(t.shape) if i != d]
    out = tensor_type(shape, "i32")
    name = imp.e.op(f"tosa.argmax {t.name} {{axis = {d} : i32}} : ({t.type}) -> {out}")
    r = imp.cast_elt(TensorVal(name, shape, "i32"), "i64")
    if keep:
        r = imp.reshape(r, [1 if i == d else s for i, s in enumerate(t.shape)])
    return r


@handles("aten::argmax")
def _argmax(imp: Importer, node):
    t, dim, keep = inputs(imp, node)
    t = imp.tensor(t)
    if isinstance(dim, NoneVal):
        flat = imp.reshape(t, [None if None in t.shape else math.prod(t.shape)])
        return _argmax_of(imp, flat, 0, False)
    return _argmax_of(imp, t, imp.const_int(dim) % t.rank, bool(keep.const))


@handles("aten::topk")
def _topk(imp: Importer, node):
    """k rounds of (max, argmax, mask the winner with -inf): TOSA and linalg
    have no sort. With ties, equal values are masked together (PyTorch would
    return both); distinct values match PyTorch exactly."""
    x, k, dim, largest, _sorted = inputs(imp, node)
    x = imp.tensor(x)
    k = imp.const_int(k)
    d = imp.const_int(dim) % x.rank
    if not bool(largest.const):
        x = imp.binary("tosa.sub", ScalarVal("f64", None, 0.0), x)
    values, indices = [], []
    bound = ScalarVal("f64", None, float("-inf"))
    for i in range(k):
        top = imp.reduce("tosa.reduce_max", x, [d], True)
        values.append(top)
        indices.append(_argmax_of(imp, x, d, True))
        if i + 1 < k:
            hit = imp.compare("tosa.equal", x, top)
            floor = imp.tensor(bound, x)
            floor = imp.expand_rank(floor, x.rank)
            shape = list(x.shape)
            out = tensor_type(shape, x.elt)
            name = imp.e.op(f"tosa.select {hit.name}, {floor.name}, {x.name} : "
                            f"({hit.type}, {floor.type}, {x.type}) -> {out}")
            x = TensorVal(name, shape, x.elt)
    def join(parts: list) -> TensorVal:
        if len(parts) == 1:
            return parts[0]
        shape = list(parts[0].shape)
        shape[d] = len(parts)
        out = tensor_type(shape, parts[0].elt)
        name = imp.e.op(f"tosa.concat {', '.join(p.name for p in parts)} {{axis = {d} : i32}} : "
                        f"({', '.join(p.type for p in parts)}) -> {out}")
        return TensorVal(name, shape, parts[0].elt)
    vals = join(values)
    if not bool(largest.const):
        vals = imp.binary("tosa.sub", ScalarVal("f64", None, 0.0), vals)
    return [vals, join(indices)]


@handles("aten::argmin")
def _argmin(imp: Importer, node):
    x, dim, keep = inputs(imp, node)
    t = imp.tensor(x)
    if isinstance(dim, NoneVal):
        raise imp.fail("argmin over every dim")
    negated = imp.binary("tosa.sub", ScalarVal("f64", None, 0.0), t)
    return _argmax_of(imp, negated, imp.const_int(dim) % t.rank, bool(keep.const))


@handles("aten::prod")
def _prod(imp: Importer, node):
    """prod(x) or prod(x, dim, keepdim)."""
    args = inputs(imp, node)
    t = imp.tensor(args[0])
    if len(args) >= 3 and isinstance(args[1], ScalarVal) and args[1].kind != "str":
        return imp.reduce("tosa.reduce_product", t, [imp.const_int(args[1])],
                          bool(args[2].const))
    return imp.reduce("tosa.reduce_product", t, list(range(t.rank)), False)


@handles("aten::any", "aten::all")
def _any(imp: Importer, node):
    """any / all (x), (x, dim, keepdim), (x, dims, keepdim) on masks; of a
    Python list of bools known at import, Python's."""
    args = inputs(imp, node)
    every = node.kind() == "aten::all"
    if isinstance(args[0], ListVal):
        values = [imp.const_int(v) for v in args[0].items]
        return ScalarVal("i1", None, all(values) if every else any(values))
    t = imp.tensor(args[0])
    if t.elt != "i1":
        t = imp.compare("tosa.equal", t, ScalarVal("f64", None, 0.0), negate=True)
    if every:  # all(x) = not any(not x)
        t = imp.unary("tosa.logical_not", t)
    if len(args) == 1 or isinstance(args[1], NoneVal):
        out = imp.reduce("tosa.reduce_any", t, list(range(t.rank)), False)
    else:
        dims = (imp.const_list(args[1]) if isinstance(args[1], ListVal)
                else [imp.const_int(args[1])]) or list(range(t.rank))
        out = imp.reduce("tosa.reduce_any", t, dims, bool(args[2].const))
    return imp.unary("tosa.logical_not", out) if every else out


@handles("aten::var")
def _var(imp: Importer, node):
    """var(x, dims, correction, keepdim): the mean squared deviation, divided
    by n - correction."""
    x, dims, correction, keep = inputs(imp, node)[:4]
    t = imp.tensor(x)
    dims = ([d % t.rank for d in imp.const_list(dims)] if isinstance(dims, ListVal)
            and imp.const_list(dims) else list(range(t.rank)))
    if any(t.shape[d] is None for d in dims):
        raise imp.fail("var over a dynamic dim")
    n = 1
    for d in dims:
        n *= t.shape[d]
    c = 1.0 if isinstance(correction, NoneVal) else float(correction.const)
    mean = imp.binary("tosa.mul", imp.reduce("tosa.reduce_sum", t, dims, True),
                      ScalarVal("f64", None, 1.0 / n))
    dev = imp.binary("tosa.sub", t, mean)
    total = imp.reduce("tosa.reduce_sum", imp.binary("tosa.mul", dev, dev), dims, bool(keep.const))
    return imp.binary("tosa.mul", total, ScalarVal("f64", None, 1.0 / max(n - c, 0) if n > c
                                                   else float("inf")))
