"""Gathers, scatters, scans and sorts: the indexing ops TOSA has no op for
(its gather takes one batch of rows, it has no scatter, scan or sort).

Each is one linalg.generic (`Builder.generic`) over the result: a gather
reads its operand with `tensor.extract` at computed coordinates; a scatter
runs over the result with a reduction loop over the index positions that
may write each element (out[p] = combine of the sources whose index is p),
so that nothing is written out of place and the result is a value, as
Core ATen's functional ops are. Indices read from data are wrapped (negative
from the end, where PyTorch allows it) and clamped to the extent: PyTorch
raises on an index out of range, compiled code must not read or write
outside a tensor.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, Optional

from dyn.frontend.registry import handles, inputs
from dyn.frontend.values import NoneVal, ScalarVal, Shape, TensorVal, broadcast_shapes, tensor_type

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer


def _dim(imp: Importer, t: TensorVal, dim) -> int:
    return imp.const_int(dim) % max(t.rank, 1)


def _data_index(imp: Importer, value: str, elt: str, extent: str, wrap: bool) -> str:
    """An index read from an integer tensor, as a coordinate inside `extent`."""
    i = imp.index_of(value, elt)
    if wrap:
        i = imp.wrap_index(i, extent)
    return imp.clamp_index(i, extent)


# -- gathers ----------------------------------------------------------------------
@handles("aten::gather")
def _gather(imp: Importer, node):
    """gather(x, dim, index): out[p] = x[p with p[dim] = index[p]]."""
    x, dim, index = inputs(imp, node)[:3]
    x, index = imp.tensor(x), imp.tensor(index)
    d = _dim(imp, x, dim)
    if index.rank != x.rank:
        raise imp.fail(f"gather with an index of rank {index.rank} into rank {x.rank}")
    extent = imp.dim_value(x, d)

    def body(args, acc):
        coords = [_data_index(imp, args[0], index.elt, extent, False) if k == d else imp.loop(k)
                  for k in range(x.rank)]
        return imp.extract(x, coords)
    shape = list(index.shape)
    return imp.generic([(index, [f"d{k}" for k in range(index.rank)])], shape, x.elt, body,
                       sizes=imp.sizes_of(shape, [(index, k) for k in range(index.rank)]))


def _index_layout(imp: Importer, x: TensorVal, items: list):
    """Where x[indices] puts things (numpy's advanced indexing): the index
    tensors broadcast to one shape B; its dims replace the indexed dims
    where those are adjacent, else they come first. Returns (indexed:
    {dim of x: index tensor}, B, where B starts in the result, the result's
    dim for each dim of x that is not indexed)."""
    if len(items) > x.rank:
        raise imp.fail(f"{len(items)} indices into a rank-{x.rank} tensor")
    indexed = {k: imp.tensor(v) for k, v in enumerate(items) if not isinstance(v, NoneVal)}
    if any(t.elt == "i1" for t in indexed.values()):
        raise imp.fail("boolean mask indexing together with other indices")
    b_shape: Shape = []
    for t in indexed.values():
        b_shape = broadcast_shapes(b_shape, t.shape)
    dims = sorted(indexed)
    adjacent = dims == list(range(dims[0], dims[-1] + 1))
    start = dims[0] if adjacent else 0
    rest = [k for k in range(x.rank) if k not in indexed]
    result_dim = {}
    for k in rest:
        before = k < dims[0] and adjacent
        result_dim[k] = rest.index(k) + (0 if before else len(b_shape))
    return indexed, b_shape, start, result_dim


@handles("aten::index")
def _index(imp: Importer, node):
    """index(x, indices): advanced indexing with integer tensors (None
    entries keep a dim whole)."""
    x, indices = inputs(imp, node)[:2]
    x = imp.tensor(x)
    masks = [(k, v) for k, v in enumerate(indices.items)
             if isinstance(v, TensorVal) and v.elt == "i1"]
    others = [v for v in indices.items if not isinstance(v, NoneVal)]
    if len(masks) == 1 and len(others) == 1:  # x[mask]: a size from the data
        return _masked_rows(imp, x, masks[0][0], masks[0][1])
    indexed, b_shape, start, result_dim = _index_layout(imp, x, indices.items)
    rank = len(b_shape) + len(result_dim)
    shape: Shape = [None] * rank
    like: list = [None] * rank
    for k, r in result_dim.items():
        shape[r], like[r] = x.shape[k], (x, k)
    for i, s in enumerate(b_shape):
        shape[start + i] = s
        owner = next((t for t in indexed.values()
                      if t.rank >= len(b_shape) - i and t.shape[i - len(b_shape)] == s), None)
        like[start + i] = (owner, t_dim(owner, len(b_shape), i)) if owner else None
    order = sorted(indexed)
    ins = [(indexed[k], imp.broadcast_exprs(indexed[k], b_shape, start)) for k in order]

    def body(args, acc):
        coords = []
        for k in range(x.rank):
            if k in indexed:
                t = indexed[k]
                coords.append(_data_index(imp, args[order.index(k)], t.elt,
                                          imp.dim_value(x, k), True))
            else:
                coords.append(imp.loop(result_dim[k]))
        return imp.extract(x, coords)
    return imp.generic(ins, shape, x.elt, body, sizes=imp.sizes_of(shape, like))


def t_dim(t: TensorVal, b_rank: int, i: int) -> int:
    """The dim of index tensor `t` that B's dim i reads (right-aligned)."""
    return t.rank - (b_rank - i)


@handles("aten::diagonal")
def _diagonal(imp: Importer, node):
    """diagonal(x, offset, dim1, dim2): the other dims, then the diagonal."""
    x, offset, dim1, dim2 = inputs(imp, node)[:4]
    x = imp.tensor(x)
    off = imp.const_int(offset)
    d1, d2 = _dim(imp, x, dim1), _dim(imp, x, dim2)
    n1, n2 = x.shape[d1], x.shape[d2]
    if d1 == d2 or n1 is None or n2 is None:
        raise imp.fail("diagonal of dims with dynamic sizes (or of one dim twice)")
    length = max(min(n1, n2 - off) if off >= 0 else min(n1 + off, n2), 0)
    others = [k for k in range(x.rank) if k not in (d1, d2)]
    shape = [x.shape[k] for k in others] + [length]
    last = len(others)
    exprs = []
    for k in range(x.rank):
        if k == d1:
            exprs.append(f"d{last} + {max(-off, 0)}")
        elif k == d2:
            exprs.append(f"d{last} + {max(off, 0)}")
        else:
            exprs.append(f"d{others.index(k)}")
    return imp.generic([(x, exprs)], shape, x.elt, lambda args, acc: args[0],
                       sizes=imp.sizes_of(shape, [(x, k) for k in others] + [None]))


@handles("aten::as_strided")
def _as_strided(imp: Importer, node):
    """as_strided(x, size, stride, offset) of a contiguous x (every value of
    the functional graph is one): element offset + sum(i_k stride_k) of its
    data."""
    from dyn.frontend.ops.shape import _target_shape

    x, size, stride, offset = inputs(imp, node)[:4]
    x = imp.tensor(x)
    strides = imp.const_list(stride)
    base = 0 if isinstance(offset, NoneVal) else imp.const_int(offset)
    if base == 0 and _contiguous(size.items, strides):
        # x's own layout under other sizes (what decompositions emit for a
        # view of a kept memory format): a reshape, dynamic sizes included.
        return imp.reshape(x, _target_shape(imp, x, size.items))
    sizes = imp.const_list(size)
    if None in x.shape:
        raise imp.fail("as_strided of a tensor with dynamic dims")
    numel = math.prod(x.shape)
    reach = base + sum((n - 1) * s for n, s in zip(sizes, strides) if n > 0)
    if any(s < 0 for s in strides) or (math.prod(sizes) and reach >= numel):
        raise imp.fail(f"as_strided {sizes} {strides} +{base} outside the {numel} elements")
    flat = imp.reshape(x, [numel])
    expr = " + ".join([str(base)] + [f"d{k} * {s}" for k, s in enumerate(strides)])
    return imp.generic([(flat, [expr])], sizes, x.elt, lambda args, acc: args[0])


def _contiguous(sizes: list, strides: list[int]) -> bool:
    """Whether strides are the row-major ones of sizes (a size-1 dim's
    stride does not matter); sizes after a dim that is not 1 must be known."""
    expected = 1
    for s, st in zip(reversed(sizes), reversed(strides)):
        n = s.const if isinstance(s, ScalarVal) else None
        if n != 1 and st != expected:
            return False
        if n is None:
            expected = None
        elif expected is not None:
            expected *= int(n)
    return True


# -- scans and sorts ----------------------------------------------------------------
def _integral(elt: str) -> bool:
    return not elt.startswith(("f", "bf"))


@handles("aten::cumsum")
def _cumsum(imp: Importer, node):
    """cumsum(x, dim, dtype): out[..i..] = sum of x[..j..] for j <= i, as a
    reduction over the whole dim masked by j <= i (a scan is not a linalg
    op; this is O(n^2) along the dim, fine for the sequence lengths models
    take cumulative sums over: position ids, masks)."""
    from dyn.frontend.ops.creation import _dtype_name

    x, dim, dtype = inputs(imp, node)[:3]
    x = imp.tensor(x)
    d = _dim(imp, x, dim)
    elt = ("i64" if _integral(x.elt) else x.elt) if isinstance(dtype, NoneVal) \
        else _dtype_name(imp.const_int(dtype))
    shape = list(x.shape)
    like = [(x, k) for k in range(x.rank)]
    init = imp.filled(shape, elt, like)
    exprs = [f"d{x.rank}" if k == d else f"d{k}" for k in range(x.rank)]
    add = "arith.addi" if _integral(elt) else "arith.addf"

    def body(args, acc):
        upto = imp.e.op(f"arith.cmpi ule, {imp.loop(x.rank)}, {imp.loop(d)} : index")
        total = imp.e.op(f"{add} {acc}, {imp.convert_scalar(args[0], x.elt, elt)} : {elt}")
        return imp.e.op(f"arith.select {upto}, {total}, {acc} : {elt}")
    return imp.generic([(x, exprs)], shape, elt, body, init=init,
                       reductions=[x.shape[d] if x.shape[d] is not None else imp.dim_value(x, d)])


def _before(imp: Importer, a: str, b: str, elt: str, descending: bool) -> str:
    """Whether a sorts strictly before b: <, or > descending; NaN is the
    largest value, as in PyTorch."""
    if _integral(elt):
        return imp.e.op(f"arith.cmpi {'sgt' if descending else 'slt'}, {a}, {b} : {elt}")
    strict = imp.e.op(f"arith.cmpf {'ogt' if descending else 'olt'}, {a}, {b} : {elt}")
    nan_a = imp.e.op(f"arith.cmpf uno, {a}, {a} : {elt}")
    nan_b = imp.e.op(f"arith.cmpf uno, {b}, {b} : {elt}")
    true = imp.e.constant("1", "i1")
    first, second = (nan_a, nan_b) if descending else (nan_b, nan_a)
    number = imp.e.op(f"arith.xori {second}, {true} : i1")
    nan_order = imp.e.op(f"arith.andi {first}, {number} : i1")
    return imp.e.op(f"arith.ori {strict}, {nan_order} : i1")


def _same(imp: Importer, a: str, b: str, elt: str) -> str:
    if _integral(elt):
        return imp.e.op(f"arith.cmpi eq, {a}, {b} : {elt}")
    equal = imp.e.op(f"arith.cmpf oeq, {a}, {b} : {elt}")
    nan_a = imp.e.op(f"arith.cmpf uno, {a}, {a} : {elt}")
    nan_b = imp.e.op(f"arith.cmpf uno, {b}, {b} : {elt}")
    return imp.e.op(f"arith.ori {equal}, {imp.e.op(f'arith.andi {nan_a}, {nan_b} : i1')} : i1")


def _sort_indices(imp: Importer, x: TensorVal, d: int, descending: bool) -> TensorVal:
    """The permutation that sorts x along d, stably: each element's rank
    (how many sort before it, ties by position), then for each rank the
    position that has it. Two O(n^2) reductions: TOSA and linalg have no
    sort."""
    shape, rank = list(x.shape), x.rank
    like = [(x, k) for k in range(rank)]
    extent = x.shape[d] if x.shape[d] is not None else imp.dim_value(x, d)
    other = [f"d{rank}" if k == d else f"d{k}" for k in range(rank)]
    ident = [f"d{k}" for k in range(rank)]

    def rank_body(args, acc):
        mine, theirs = args
        j, i = imp.loop(rank), imp.loop(d)
        earlier = imp.e.op(f"arith.cmpi ult, {j}, {i} : index")
        tie = imp.e.op(f"arith.andi {_same(imp, theirs, mine, x.elt)}, {earlier} : i1")
        first = imp.e.op(f"arith.ori {_before(imp, theirs, mine, x.elt, descending)}, {tie} : i1")
        one = imp.e.op(f"arith.extui {first} : i1 to i64")
        return imp.e.op(f"arith.addi {acc}, {one} : i64")
    ranks = imp.generic([(x, ident), (x, other)], shape, "i64", rank_body,
                        init=imp.filled(shape, "i64", like), reductions=[extent])

    def pick_body(args, acc):
        k = imp.e.op(f"arith.index_cast {imp.loop(d)} : index to i64")
        hit = imp.e.op(f"arith.cmpi eq, {args[0]}, {k} : i64")
        position = imp.e.op(f"arith.index_cast {imp.loop(rank)} : index to i64")
        return imp.e.op(f"arith.select {hit}, {position}, {acc} : i64")
    return imp.generic([(ranks, other)], shape, "i64", pick_body,
                       init=imp.filled(shape, "i64", like), reductions=[extent])


@handles("aten::sort")
def _sort(imp: Importer, node):
    """sort(x, dim, descending) -> (values, indices), stable."""
    x, dim, descending = inputs(imp, node)[:3]
    x = imp.tensor(x)
    if x.rank == 0:
        return [x, imp.constant_tensor(__import__("torch").tensor(0))]
    d = _dim(imp, x, dim)
    order = _sort_indices(imp, x, d, bool(descending.const))
    extent = imp.dim_value(x, d)

    def body(args, acc):
        coords = [_data_index(imp, args[0], "i64", extent, False) if k == d else imp.loop(k)
                  for k in range(x.rank)]
        return imp.extract(x, coords)
    values = imp.generic([(order, [f"d{k}" for k in range(x.rank)])], list(x.shape), x.elt, body,
                         sizes=imp.sizes_of(x.shape, [(x, k) for k in range(x.rank)]))
    return [values, order]


# -- scatters ------------------------------------------------------------------------
_IDENTITY = {"sum": 0.0, "mean": 0.0, "prod": 1.0, "amax": float("-inf"), "amin": float("inf")}


def _combine(imp: Importer, how: str, acc: str, v: str, elt: str) -> str:
    if how == "replace":
        return v
    f = not _integral(elt)
    op = {"sum": "arith.addf" if f else "arith.addi", "mean": "arith.addf" if f else "arith.addi",
          "prod": "arith.mulf" if f else "arith.muli",
          "amax": "arith.maximumf" if f else "arith.maxsi",
          "amin": "arith.minimumf" if f else "arith.minsi"}[how]
    return imp.e.op(f"{op} {acc}, {v} : {elt}")


def _scatter(imp: Importer, x: TensorVal, d: int, index: TensorVal, src, how: str,
             init: Optional[str] = None, elt: Optional[str] = None) -> TensorVal:
    """out[p] = combine over j of src[q] where q = p with q[d] = j and
    index[q] == p[d] (q inside index's shape), starting from `init` (x)."""
    if index.rank != x.rank:
        raise imp.fail(f"scatter with an index of rank {index.rank} into rank {x.rank}")
    elt = elt or x.elt
    rank = x.rank
    extent = imp.dim_value(x, d)
    span = index.shape[d] if index.shape[d] is not None else imp.dim_value(index, d)
    value: Optional[ScalarVal] = src if isinstance(src, ScalarVal) else None
    if value is not None:
        s = imp.scalar(value, "f64" if not _integral(elt) else "i64")
        fill = imp.convert_scalar(s.name, s.kind, elt)
    else:
        src = imp.tensor(src)
    true = imp.e.constant("1", "i1")

    def body(args, acc):
        j = imp.loop(rank)
        inside = true
        q = []
        for k in range(rank):
            if k == d:
                q.append(j)
                continue
            p_k = imp.loop(k)
            if index.shape[k] is None or index.shape[k] != x.shape[k]:
                fits = imp.e.op(f"arith.cmpi ult, {p_k}, {imp.dim_value(index, k)} : index")
                inside = imp.e.op(f"arith.andi {inside}, {fits} : i1")
                p_k = imp.clamp_index(p_k, imp.dim_value(index, k))
            q.append(p_k)
        target = _data_index(imp, imp.extract(index, q), index.elt, extent, False)
        same = imp.e.op(f"arith.cmpi eq, {target}, {imp.loop(d)} : index")
        hit = imp.e.op(f"arith.andi {inside}, {same} : i1")
        v = fill if value is not None else imp.convert_scalar(imp.extract(src, q), src.elt, elt)
        if how == "count":
            one = imp.e.constant("1", elt)
            return imp.e.op(f"arith.select {hit}, {imp.e.op(f'arith.addi {acc}, {one} : {elt}')}, "
                            f"{acc} : {elt}")
        return imp.e.op(f"arith.select {hit}, {_combine(imp, how, acc, v, elt)}, {acc} : {elt}")
    return imp.generic([], list(x.shape), elt, body, init=init or x.name, reductions=[span])


@handles("aten::scatter")
def _scatter_op(imp: Importer, node):
    """scatter(x, dim, index, src or value): the last write wins where
    indices repeat (PyTorch leaves that order unspecified)."""
    x, dim, index, src = inputs(imp, node)[:4]
    x = imp.tensor(x)
    return _scatter(imp, x, _dim(imp, x, dim), imp.tensor(index), src, "replace")


@handles("aten::scatter_add")
def _scatter_add(imp: Importer, node):
    x, dim, index, src = inputs(imp, node)[:4]
    x = imp.tensor(x)
    return _scatter(imp, x, _dim(imp, x, dim), imp.tensor(index), src, "sum")


@handles("aten::scatter_reduce")
def _scatter_reduce(imp: Importer, node):
    """scatter_reduce(x, dim, index, src, reduce, include_self): sum, prod,
    mean, amax, amin; without include_self an element some index hits
    starts from the reduction's identity, one no index hits stays x's."""
    from dyn.frontend.ops.elementwise import _select

    x, dim, index, src, reduce, include_self = inputs(imp, node)[:6]
    x, index = imp.tensor(x), imp.tensor(index)
    d = _dim(imp, x, dim)
    how = reduce.const
    if how not in _IDENTITY:
        raise imp.fail(f"scatter_reduce with reduce={how!r}")
    if how == "mean" and _integral(x.elt):
        raise imp.fail("scatter_reduce mean of an integer tensor")
    keep = bool(include_self.const)
    like = [(x, k) for k in range(x.rank)]
    count = _scatter(imp, x, d, index, src, "count", init=imp.filled(x.shape, "i64", like),
                     elt="i64")
    hit = imp.compare("tosa.greater", count, ScalarVal("i64", None, 0))
    start = None if keep else imp.filled(x.shape, x.elt, like, _IDENTITY[how]
                                         if not _integral(x.elt) or math.isfinite(_IDENTITY[how])
                                         else _int_bound(x.elt, _IDENTITY[how]))
    total = _scatter(imp, x, d, index, src, how, init=start)
    if how == "mean":
        n = imp.cast_elt(count, x.elt)
        if keep:
            n = imp.binary("tosa.add", n, ScalarVal("f64", None, 1.0))
        n = imp.binary("tosa.maximum", n, ScalarVal("f64", None, 1.0))
        total = imp.binary("tosa.mul", total, imp.unary("tosa.reciprocal", n))
    return _select(imp, hit, total, x)


def _int_bound(elt: str, sign: float) -> int:
    bits = 1 if elt == "i1" else int(elt[1:])
    return -(2 ** (bits - 1)) if sign < 0 else 2 ** (bits - 1) - 1


@handles("aten::index_put")
def _index_put(imp: Importer, node):
    """index_put(x, indices, values, accumulate): x[indices] = values (or +=).
    A boolean mask with one value is a select; integer indices are a
    scatter over the index positions (the last write wins where they
    repeat, as PyTorch leaves unspecified)."""
    from dyn.frontend.ops.elementwise import _select

    x, indices, values, accumulate = inputs(imp, node)[:4]
    x, values = imp.tensor(x), imp.tensor(values)
    items = indices.items
    acc_mode = bool(accumulate.const)
    masks = [(k, v) for k, v in enumerate(items) if isinstance(v, TensorVal) and v.elt == "i1"]
    if masks:
        k, mask = masks[0]
        alone = len(masks) == 1 and all(isinstance(v, NoneVal) for i, v in enumerate(items) if i != k)
        if not alone or any(s != 1 for s in values.shape):
            raise imp.fail("index_put with a boolean mask and more than one value "
                           "(where each value goes depends on the data)")
        full = imp.reshape(mask, [1] * k + list(mask.shape) + [1] * (x.rank - k - mask.rank))
        v = imp.reshape(imp.cast_elt(values, x.elt), [1] * x.rank)
        return _select(imp, full, imp.binary("tosa.add", x, v) if acc_mode else v, x)
    indexed, b_shape, start, result_dim = _index_layout(imp, x, items)
    order = sorted(indexed)
    rank, m = x.rank, len(b_shape)
    r_rank = m + len(result_dim)
    values = imp.expand_rank(imp.cast_elt(values, x.elt), r_rank) if values.rank <= r_rank \
        else values
    if values.rank != r_rank:
        raise imp.fail(f"index_put of values of rank {values.rank} into {r_rank} positions")
    true = imp.e.constant("1", "i1")
    # Loops: x's dims (d0..), then B's (the reduction).
    b_loop = lambda i: rank + i
    r_loop = {}
    for k, r in result_dim.items():
        r_loop[r] = k
    for i in range(m):
        r_loop[start + i] = b_loop(i)

    def body(args, acc):
        hit = true
        for k in order:
            t = indexed[k]
            lead = m - t.rank
            coords = [imp.index(0) if s == 1 and b_shape[lead + i] != 1 else imp.loop(b_loop(lead + i))
                      for i, s in enumerate(t.shape)]
            target = _data_index(imp, imp.extract(t, coords), t.elt, imp.dim_value(x, k), True)
            same = imp.e.op(f"arith.cmpi eq, {target}, {imp.loop(k)} : index")
            hit = imp.e.op(f"arith.andi {hit}, {same} : i1")
        coords = [imp.index(0) if s == 1 else imp.loop(r_loop[r]) for r, s in enumerate(values.shape)]
        v = imp.extract(values, coords)
        new = imp.e.op(f"{'arith.addf' if not _integral(x.elt) else 'arith.addi'} {acc}, {v} "
                       f": {x.elt}") if acc_mode else v
        return imp.e.op(f"arith.select {hit}, {new}, {acc} : {x.elt}")
    extents = []
    for i, s in enumerate(b_shape):
        if s is not None:
            extents.append(s)
            continue
        owner = next(t for t in indexed.values() if t.rank >= m - i and t.shape[i - m] is None)
        extents.append(imp.dim_value(owner, t_dim(owner, m, i)))
    return imp.generic([], list(x.shape), x.elt, body, init=x.name, reductions=extents)


# -- slices written back ------------------------------------------------------------
def _insert(imp: Importer, x: TensorVal, src: TensorVal, offsets: list, strides: list,
            sizes: list) -> TensorVal:
    src = imp.cast_elt(src, x.elt)
    name = imp.e.op(f"tensor.insert_slice {src.name} into {x.name}[{', '.join(map(str, offsets))}] "
                    f"[{', '.join(map(str, sizes))}] [{', '.join(map(str, strides))}] : "
                    f"{src.type} into {x.type}")
    return TensorVal(name, list(x.shape), x.elt)


@handles("aten::slice_scatter")
def _slice_scatter(imp: Importer, node):
    """slice_scatter(x, src, dim, start, end, step): x with x[start:end:step]
    along dim replaced by src (tensor.insert_slice)."""
    x, src, dim, start, _end, step = inputs(imp, node)[:6]
    x, src = imp.tensor(x), imp.tensor(src)
    d = _dim(imp, x, dim)
    if isinstance(start, ScalarVal) and start.const is None:  # a loop counter
        i = imp.index_of(imp.scalar(start, "i64").name, "i64")
        first = imp.wrap_index(i, imp.dim_value(x, d))
    else:
        first = 0 if isinstance(start, NoneVal) else imp.const_int(start)
        if first < 0:
            if x.shape[d] is None:
                raise imp.fail("slice_scatter from the end of a dynamic dim")
            first += x.shape[d]
    offsets = [first if k == d else 0 for k in range(x.rank)]
    strides = [imp.const_int(step) if k == d else 1 for k in range(x.rank)]
    sizes = [imp.dim_value(src, k) if s is None else s for k, s in enumerate(src.shape)]
    return _insert(imp, x, src, offsets, strides, sizes)


@handles("aten::select_scatter")
def _select_scatter(imp: Importer, node):
    """select_scatter(x, src, dim, index): x with x.select(dim, index) = src."""
    x, src, dim, index = inputs(imp, node)[:4]
    x, src = imp.tensor(x), imp.tensor(src)
    d = _dim(imp, x, dim)
    if isinstance(index, ScalarVal) and index.const is not None and x.shape[d] is not None:
        at = index.const % x.shape[d]
    else:
        i = imp.index_of(imp.scalar(index, "i64").name, "i64")
        at = imp.wrap_index(i, imp.dim_value(x, d))
    offsets = [at if k == d else 0 for k in range(x.rank)]
    sizes, j = [], 0
    for k in range(x.rank):
        if k == d:
            sizes.append(1)
        else:
            sizes.append(imp.dim_value(src, j) if src.shape[j] is None else src.shape[j])
            j += 1
    return _insert(imp, x, src, offsets, [1] * x.rank, sizes)


@handles("aten::copy", "aten::copy_")
def _copy(imp: Importer, node):
    """copy(x, src): src broadcast to x's shape, in x's dtype (copy_: the
    same value, which the importer makes x's from then on)."""
    x, src = inputs(imp, node)[:2]
    x = imp.tensor(x)
    src = imp.tensor(src, x)
    if src.rank > x.rank:
        raise imp.fail(f"copy of a rank-{src.rank} tensor into rank {x.rank}")
    return imp.generic([(src, imp.broadcast_exprs(src, x.shape))], list(x.shape), x.elt,
                       lambda args, acc: imp.convert_scalar(args[0], src.elt, x.elt),
                       sizes=imp.sizes_of(x.shape, [(x, k) for k in range(x.rank)]))


@handles("aten::_embedding_bag", "aten::_embedding_bag_forward_only")
def _embedding_bag(imp: Importer, node):
    """_embedding_bag(weight, indices, offsets, scale_grad_by_freq, mode,
    sparse, per_sample_weights, include_last_offset, padding_idx): sums
    (mode 0), means (1) or maxima (2) of the rows each bag of a 1-d index
    list picks; bag b is indices[offsets[b]:offsets[b + 1]]. One reduction
    over all indices per bag (masked to the bag's range). Only the first
    result is computed (the others serve the backward pass)."""
    weight, indices, offsets, _scale, mode, _sparse, psw, last, padding = \
        (inputs(imp, node) + [NoneVal()] * 9)[:9]
    weight, indices, offsets = imp.tensor(weight), imp.tensor(indices), imp.tensor(offsets)
    if indices.rank != 1 or offsets.rank != 1 or weight.rank != 2:
        raise imp.fail("embedding_bag of other than 1-d indices with offsets")
    how = {0: "sum", 1: "mean", 2: "max"}[imp.const_int(mode)]
    if weight.elt != "f32":
        raise imp.fail(f"embedding_bag of a {weight.elt} table")
    include_last = isinstance(last, ScalarVal) and bool(last.const)
    pad = None if isinstance(padding, NoneVal) or imp.const_int(padding) < 0 else \
        imp.const_int(padding)
    weights = None if isinstance(psw, NoneVal) else imp.tensor(psw)
    count = indices.shape[0] if indices.shape[0] is not None else imp.dim_value(indices, 0)
    n_off = imp.dim_value(offsets, 0)
    bags = offsets.shape[0] - (1 if include_last else 0) if offsets.shape[0] is not None else None
    sizes = []
    if bags is None:
        sizes.append(imp.e.op(f"arith.subi {n_off}, {imp.index(1 if include_last else 0)} : index"))
    if weight.shape[1] is None:
        sizes.append(imp.dim_value(weight, 1))
    shape = [bags, weight.shape[1]]
    elt = weight.elt
    rows = imp.dim_value(weight, 0)
    total = imp.index_of(count, "index") if isinstance(count, str) else imp.index(count)

    def member(b: str, k: str) -> str:
        """Whether index position k is in bag b (and not padding)."""
        start = imp.index_of(imp.extract(offsets, [b]), offsets.elt)
        nxt = imp.e.op(f"arith.addi {b}, {imp.index(1)} : index")
        has_next = imp.e.op(f"arith.cmpi slt, {nxt}, {n_off} : index")
        next_start = imp.index_of(imp.extract(offsets, [imp.clamp_index(nxt, n_off)]), offsets.elt)
        end = imp.e.op(f"arith.select {has_next}, {next_start}, {total} : index")
        ge = imp.e.op(f"arith.cmpi sge, {k}, {start} : index")
        lt = imp.e.op(f"arith.cmpi slt, {k}, {end} : index")
        ok = imp.e.op(f"arith.andi {ge}, {lt} : i1")
        if pad is not None:
            row = imp.index_of(imp.extract(indices, [k]), indices.elt)
            real = imp.e.op(f"arith.cmpi ne, {row}, {imp.index(pad)} : index")
            ok = imp.e.op(f"arith.andi {ok}, {real} : i1")
        return ok

    def body(args, acc):
        b, d, k = imp.loop(0), imp.loop(1), imp.loop(2)
        row = _data_index(imp, imp.extract(indices, [k]), indices.elt, rows, False)
        v = imp.extract(weight, [row, d])
        if weights is not None:
            v = imp.e.op(f"arith.mulf {v}, {imp.extract(weights, [k])} : {elt}")
        new = imp.e.op(f"arith.{'maximumf' if how == 'max' else 'addf'} {acc}, {v} : {elt}")
        return imp.e.op(f"arith.select {member(b, k)}, {new}, {acc} : {elt}")
    init = imp.filled(shape, elt, [], float("-inf") if how == "max" else 0.0, sizes=sizes)
    out = imp.generic([], shape, elt, body, init=init, reductions=[count])
    rest = [NoneVal(), NoneVal(), NoneVal()]
    if how == "sum":
        return [out] + rest
    if how == "max":  # an empty bag is zeros
        from dyn.frontend.ops.elementwise import _select

        empty = imp.compare("tosa.equal", out, ScalarVal("f64", None, float("-inf")))
        return [_select(imp, empty, imp.tensor(ScalarVal("f64", None, 0.0), out), out)] + rest

    def count_body(args, acc):
        inc = imp.e.op(f"arith.addf {acc}, {imp.e.constant('1.0', elt)} : {elt}")
        return imp.e.op(f"arith.select {member(imp.loop(0), imp.loop(1))}, {inc}, {acc} : {elt}")
    counted = imp.generic([], [bags], elt, count_body, reductions=[count],
                          init=imp.filled([bags], elt, [], sizes=sizes[:1] if bags is None else []))
    # mean: the sum over the bag's size (an empty bag's sum is 0)
    n = imp.binary("tosa.maximum", imp.reshape(counted, [bags, 1]), ScalarVal("f64", None, 1.0))
    return [imp.binary("tosa.mul", out, imp.unary("tosa.reciprocal", n))] + rest


def _positions(imp: Importer, flat: TensorVal) -> tuple[TensorVal, str]:
    """The positions of the nonzero elements of a 1-d tensor, in order, as
    an int64 tensor, and how many there are (an index known at run time).
    Each nonzero element's rank among them is a prefix count, and output k
    is the element of rank k + 1: two reductions over all elements, O(n^2)
    (masks of thousands of elements, as routing and post-processing hold;
    linalg has no scan)."""
    elt = flat.elt
    zero = imp.e.constant("0.0" if not _integral(elt) else "0", elt)
    cmp = "arith.cmpf une" if not _integral(elt) else "arith.cmpi ne"
    n = flat.shape[0]
    extent = n if n is not None else imp.dim_value(flat, 0)

    def prefix_body(args, acc):
        upto = imp.e.op(f"arith.cmpi ule, {imp.loop(1)}, {imp.loop(0)} : index")
        hit = imp.e.op(f"arith.andi {upto}, {imp.e.op(f'{cmp}, {args[0]}, {zero} : {elt}')} : i1")
        return imp.e.op(f"arith.addi {acc}, {imp.e.op(f'arith.extui {hit} : i1 to i64')} : i64")
    prefix = imp.generic([(flat, ["d1"])], [n], "i64", prefix_body,
                         init=imp.filled([n], "i64", [(flat, 0)]), reductions=[extent])
    size = imp.dim_value(flat, 0)
    last = imp.e.op(f"arith.subi {size}, {imp.index(1)} : index")
    empty = imp.e.op(f"arith.cmpi eq, {size}, {imp.index(0)} : index")
    total = imp.extract(prefix, [imp.clamp_index(last, size)])
    total = imp.e.op(f"arith.select {empty}, {imp.e.constant('0', 'i64')}, {total} : i64")
    count = imp.e.op(f"arith.index_cast {total} : i64 to index")

    def pick_body(args, acc):
        k, p = imp.loop(0), imp.loop(1)
        nz = imp.e.op(f"{cmp}, {imp.extract(flat, [p])}, {zero} : {elt}")
        want = imp.e.op(f"arith.index_cast {imp.e.op(f'arith.addi {k}, {imp.index(1)} : index')} "
                        f": index to i64")
        ranked = imp.e.op(f"arith.cmpi eq, {imp.extract(prefix, [p])}, {want} : i64")
        hit = imp.e.op(f"arith.andi {nz}, {ranked} : i1")
        position = imp.e.op(f"arith.index_cast {p} : index to i64")
        return imp.e.op(f"arith.select {hit}, {position}, {acc} : i64")
    positions = imp.generic([], [None], "i64", pick_body, reductions=[extent],
                            init=imp.filled([None], "i64", [], sizes=[count]))
    return positions, count


def _unflatten(imp: Importer, p: str, dims: list[str]) -> list[str]:
    """The row-major coordinates of flat position p in dims (index values)."""
    coords = []
    for k in range(len(dims)):
        stride = imp.index(1)
        for later in dims[k + 1:]:
            stride = imp.e.op(f"arith.muli {stride}, {later} : index")
        quotient = imp.e.op(f"arith.divui {p}, {stride} : index")
        coords.append(imp.e.op(f"arith.remui {quotient}, {dims[k]} : index"))
    return coords


@handles("aten::nonzero")
def _nonzero(imp: Importer, node):
    """nonzero(x) -> [count, rank] int64 coordinates in row-major order; the
    count is known at run time only (torch.export's unbacked u0)."""
    x = imp.tensor(imp.get(node.inputsAt(0)))
    positions, count = _positions(imp, _flattened(imp, x))
    dims = [imp.dim_value(x, k) for k in range(x.rank)]

    def body(args, acc):
        p = imp.index_of(args[0], "i64")
        coords = _unflatten(imp, p, dims)
        c, coord = imp.loop(1), imp.index(0)
        for k, mine in enumerate(coords):
            is_k = imp.e.op(f"arith.cmpi eq, {c}, {imp.index(k)} : index")
            coord = imp.e.op(f"arith.select {is_k}, {mine}, {coord} : index")
        return imp.e.op(f"arith.index_cast {coord} : index to i64")
    return imp.generic([(positions, ["d0"])], [None, x.rank], "i64", body, sizes=[count])


def _masked_rows(imp: Importer, x: TensorVal, k: int, mask: TensorVal) -> TensorVal:
    """x[..., mask, ...] with a boolean mask over dims k .. k + mask.rank:
    those dims become one of the run-time count of set elements."""
    if k + mask.rank > x.rank:
        raise imp.fail(f"a rank-{mask.rank} mask at dim {k} of a rank-{x.rank} tensor")
    positions, count = _positions(imp, _flattened(imp, mask))
    mask_dims = [imp.dim_value(mask, i) for i in range(mask.rank)]
    shape = list(x.shape[:k]) + [None] + list(x.shape[k + mask.rank:])
    sizes = [imp.dim_value(x, i) for i in range(k) if x.shape[i] is None] + [count] + \
        [imp.dim_value(x, i) for i in range(k + mask.rank, x.rank) if x.shape[i] is None]
    exprs = [f"d{k}"]

    def body(args, acc):
        coords = _unflatten(imp, imp.index_of(args[0], "i64"), mask_dims)
        coords = [imp.clamp_index(c, imp.dim_value(x, k + i)) for i, c in enumerate(coords)]
        lead = [imp.loop(i) for i in range(k)]
        rest = [imp.loop(k + 1 + i) for i in range(x.rank - k - mask.rank)]
        return imp.extract(x, lead + coords + rest)
    return imp.generic([(positions, exprs)], shape, x.elt, body, sizes=sizes)


@handles("aten::masked_select")
def _masked_select(imp: Importer, node):
    """masked_select(x, mask): the elements where mask (broadcast with x) is
    set, 1-d, of a size known at run time."""
    x, mask = inputs(imp, node)[:2]
    x, mask = imp.tensor(x), imp.tensor(mask)
    rank = max(x.rank, mask.rank)
    x, mask = imp.expand_rank(x, rank), imp.expand_rank(mask, rank)
    shape = broadcast_shapes(x.shape, mask.shape)
    like = [(x if x.shape[d] is not None or mask.shape[d] is None else mask, d)
            if s is None else None for d, s in enumerate(shape)]
    sizes = imp.sizes_of(shape, like)
    x = imp.generic([(x, imp.broadcast_exprs(x, shape))], shape, x.elt,
                    lambda args, acc: args[0], sizes=sizes)
    mask = imp.generic([(mask, imp.broadcast_exprs(mask, shape))], shape, "i1",
                       lambda args, acc: args[0], sizes=sizes)
    return _masked_rows(imp, _flattened(imp, x), 0, _flattened(imp, mask))


def _flattened(imp: Importer, x: TensorVal) -> TensorVal:
    """x as one dim (tensor.collapse_shape: dynamic dims too)."""
    if x.rank == 1:
        return x
    if x.rank == 0:
        return imp.reshape(x, [1])
    n = None if None in x.shape else math.prod(x.shape)
    assoc = "[[" + ", ".join(str(k) for k in range(x.rank)) + "]]"
    return TensorVal(imp.e.op(f"tensor.collapse_shape {x.name} {assoc} : {x.type} into "
                              f"{tensor_type([n], x.elt)}"), [n], x.elt)


@handles("aten::masked_scatter")
def _masked_scatter(imp: Importer, node):
    """masked_scatter(x, mask, source): where mask (broadcast to x) is set,
    source's elements in row-major order; the k-th set element takes
    source's k-th: a prefix count of the mask, O(n^2) in x's size as
    nonzero's."""
    x, mask, source = inputs(imp, node)[:3]
    x, mask, source = imp.tensor(x), imp.tensor(mask), imp.tensor(source)
    like = [(x, k) for k in range(x.rank)]
    mask = imp.generic([(mask, imp.broadcast_exprs(mask, x.shape))], list(x.shape), "i1",
                       lambda args, acc: args[0], sizes=imp.sizes_of(x.shape, like))
    flat_mask, flat_x, flat_src = _flattened(imp, mask), _flattened(imp, x), _flattened(imp, source)
    extent = flat_mask.shape[0] if flat_mask.shape[0] is not None else imp.dim_value(flat_mask, 0)

    def prefix_body(args, acc):
        upto = imp.e.op(f"arith.cmpi ule, {imp.loop(1)}, {imp.loop(0)} : index")
        hit = imp.e.op(f"arith.andi {upto}, {args[0]} : i1")
        return imp.e.op(f"arith.addi {acc}, {imp.e.op(f'arith.extui {hit} : i1 to i64')} : i64")
    prefix = imp.generic([(flat_mask, ["d1"])], list(flat_mask.shape), "i64", prefix_body,
                         init=imp.filled(flat_mask.shape, "i64", [(flat_mask, 0)]),
                         reductions=[extent])
    available = imp.dim_value(flat_src, 0)

    def body(args, acc):
        m, before, own = args
        k = imp.index_of(imp.e.op(f"arith.subi {before}, {imp.e.constant('1', 'i64')} : i64"), "i64")
        v = imp.extract(flat_src, [imp.clamp_index(k, available)])
        return imp.e.op(f"arith.select {m}, {imp.convert_scalar(v, source.elt, x.elt)}, {own} "
                        f": {x.elt}")
    out = imp.generic([(flat_mask, ["d0"]), (prefix, ["d0"]), (flat_x, ["d0"])],
                      list(flat_x.shape), x.elt, body, sizes=imp.sizes_of(flat_x.shape, [(flat_x, 0)]))
    if x.rank <= 1:
        return imp.reshape(out, list(x.shape))
    assoc = "[[" + ", ".join(str(k) for k in range(x.rank)) + "]]"
    dims = [imp.dim_value(x, k) if s is None else str(s) for k, s in enumerate(x.shape)]
    return TensorVal(imp.e.op(f"tensor.expand_shape {out.name} {assoc} output_shape "
                              f"[{', '.join(dims)}] : {out.type} into {x.type}"), list(x.shape), x.elt)


def write_view(imp: Importer, whole: TensorVal, part: TensorVal, kind: str, args: list):
    """`whole` with the view `kind(whole, *args)` (aten::select / slice)
    replaced by `part`: how an in-place update of a view reaches the tensor
    it views (`x[0] = v`, `x[:, :2].mul_(2)`)."""
    dim = _dim(imp, whole, args[0])
    if kind == "aten::select":
        index = args[1]
        if isinstance(index, ScalarVal) and index.const is not None and \
                whole.shape[dim] is not None:
            at = index.const % whole.shape[dim]
        else:
            i = imp.index_of(imp.scalar(index, "i64").name, "i64")
            at = imp.wrap_index(i, imp.dim_value(whole, dim))
        offsets = [at if k == dim else 0 for k in range(whole.rank)]
        sizes, j = [], 0
        for k in range(whole.rank):
            if k == dim:
                sizes.append(1)
            else:
                sizes.append(imp.dim_value(part, j) if part.shape[j] is None else part.shape[j])
                j += 1
        return _insert(imp, whole, part, offsets, [1] * whole.rank, sizes)
    start, _end, step = args[1:4]
    if imp.const_int(step) != 1:
        raise imp.fail("an in-place update of a slice with a step")
    from dyn.frontend.ops.shape import slice_start

    offsets = [slice_start(imp, whole, dim, start) if k == dim else 0 for k in range(whole.rank)]
    sizes = [imp.dim_value(part, k) if s is None else s for k, s in enumerate(part.shape)]
    return _insert(imp, whole, part, offsets, [1] * whole.rank, sizes)
