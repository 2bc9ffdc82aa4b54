"""Shape and indexing: sizes, views and reshapes, transposes, joining,
slicing and selecting, embedding lookups, identities."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from dyn.frontend.emitter import dense_attr
from dyn.frontend.ops.scalar import _scalar_binary
from dyn.frontend.registry import handles, inputs
from dyn.frontend.values import (ListVal, NoneVal, ScalarVal, Shape, TensorVal, TupleVal,
                                 join_shapes, tensor_type)

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer

@handles("aten::dropout", "aten::contiguous", "aten::detach", "aten::clone")
def _identity(imp: Importer, node):
    """Inference-time identities: dropout, layout and autograd bookkeeping."""
    return imp.get(node.inputsAt(0))


@handles("aten::size")
def _size(imp: Importer, node):
    args = inputs(imp, node)
    t = args[0]
    if len(args) == 1:
        return ListVal([_size_of(imp, t, d) for d in range(t.rank)])
    return _size_of(imp, t, imp.const_int(args[1]) % t.rank)


def _size_of(imp: Importer, t: TensorVal, d: int) -> ScalarVal:
    if t.shape[d] is not None:
        return ScalarVal("i64", None, t.shape[d])
    idx = imp.dim_value(t, d)
    return ScalarVal("i64", imp.e.op(f"arith.index_cast {idx} : index to i64"))


@handles("aten::dim")
def _dim(imp: Importer, node):
    return ScalarVal("i64", None, imp.get(node.input()).rank)


@handles("aten::len")
def _len(imp: Importer, node):
    v = imp.get(node.input())
    if isinstance(v, (ListVal, TupleVal)):
        return ScalarVal("i64", None, len(v.items))
    if isinstance(v, ScalarVal) and v.kind == "str":
        return ScalarVal("i64", None, len(v.const))
    if not isinstance(v, TensorVal) or not v.rank:
        raise imp.fail(f"len() of {'a 0-d tensor' if isinstance(v, TensorVal) else type(v).__name__}")
    return _size_of(imp, v, 0)


def _target_shape(imp: Importer, t: TensorVal, sizes: list) -> Shape:
    shape: Shape = []
    for i, s in enumerate(sizes):
        if isinstance(s, ScalarVal) and s.const is not None:
            shape.append(int(s.const))
        elif isinstance(s, ScalarVal):
            shape.append(None)
        else:
            raise imp.fail("view/reshape size is not an int")
    known = [d for d in shape if d not in (None, -1)]
    if -1 in shape:
        total = 1
        for d in t.shape:
            if d is None:
                total = None
                break
            total *= d
        i = shape.index(-1)
        if total is not None and None not in shape:
            shape[i] = total // max(1, math.prod(known))
        else:
            shape[i] = None
    return shape


@handles("aten::view", "aten::reshape")
def _view(imp: Importer, node):
    t, sizes = inputs(imp, node)
    shape = _target_shape(imp, t, sizes.items)
    shape = _infer_beside_dynamic(imp, imp.tensor(t), sizes.items, shape)
    if shape.count(None) > 1:
        return _reshape_at_run_time(imp, imp.tensor(t), sizes.items, shape)
    return imp.reshape(t, shape)


def _infer_beside_dynamic(imp: Importer, t: TensorVal, sizes: list, shape: Shape) -> Shape:
    """`x.view(b, -1, h, w)` with b = x.size(0) known only at run time (a
    channel shuffle beside a dynamic batch): the -1 is the static elements
    over the static sizes, as if b were t's one dynamic dim, which a
    run-time check makes sure of (else the -1 would stay dynamic too)."""
    minus = [i for i, s in enumerate(sizes) if isinstance(s, ScalarVal) and s.const == -1]
    dynamic = [i for i, s in enumerate(sizes) if isinstance(s, ScalarVal) and s.const is None]
    t_dynamic = [d for d, n in enumerate(t.shape) if n is None]
    if len(minus) != 1 or len(dynamic) != 1 or len(t_dynamic) != 1:
        return shape
    static = math.prod(n for n in t.shape if n is not None)
    known = math.prod(int(s.const) for i, s in enumerate(sizes) if i not in minus + dynamic)
    if not known or static % known:
        return shape
    from dyn.frontend.torchscript import _mlir_string

    given = imp.scalar(sizes[dynamic[0]], "i64").name
    extent = imp.e.op(f"arith.index_cast {imp.dim_value(t, t_dynamic[0])} : index to i64")
    same = imp.e.op(f"arith.cmpi eq, {given}, {extent} : i64")
    imp.e.emit(f"cf.assert {same}, " + _mlir_string(
        "RuntimeError: view/reshape: dyn compiled this view for a size read at run time "
        "equal to the input's dynamic dim"))
    shape = list(shape)
    shape[minus[0]] = static // known
    return shape


def _reshape_at_run_time(imp: Importer, t: TensorVal, sizes: list, shape: Shape) -> TensorVal:
    """A reshape to sizes known at run time (more than one dynamic dim:
    tosa.reshape takes constant shapes): tensor.reshape with a shape tensor;
    a -1 is the element count over the others'."""
    values = []
    for s in sizes:
        if isinstance(s, ScalarVal) and s.const is not None and int(s.const) == -1:
            values.append(None)
        else:
            values.append(imp.scalar(s, "i64").name)
    if None in values:
        total = imp.e.constant("1", "i64")
        for d in range(t.rank):
            n = imp.e.op(f"arith.index_cast {imp.dim_value(t, d)} : index to i64")
            total = imp.e.op(f"arith.muli {total}, {n} : i64")
        known = imp.e.constant("1", "i64")
        for v in values:
            if v is not None:
                known = imp.e.op(f"arith.muli {known}, {v} : i64")
        values[values.index(None)] = imp.e.op(f"arith.divsi {total}, {known} : i64")
    index = [imp.e.op(f"arith.index_cast {v} : i64 to index") for v in values]
    target = imp.e.op(f"tensor.from_elements {', '.join(index)} : tensor<{len(index)}xindex>")
    out = tensor_type(shape, t.elt)
    name = imp.e.op(f"tensor.reshape {t.name}({target}) : ({t.type}, tensor<{len(index)}xindex>)"
                    f" -> {out}")
    return TensorVal(name, list(shape), t.elt)


@handles("aten::flatten")
def _flatten(imp: Importer, node):
    t, start, end = inputs(imp, node)
    start, end = imp.const_int(start) % max(1, t.rank), imp.const_int(end) % max(1, t.rank)
    middle = t.shape[start:end + 1]
    prod = None if None in middle else math.prod(middle)
    shape = list(t.shape[:start]) + [prod] + list(t.shape[end + 1:])
    if shape.count(None) > 1:
        raise imp.fail("flatten with several dynamic dims")
    return imp.reshape(t, shape)


@handles("aten::unsqueeze")
def _unsqueeze(imp: Importer, node):
    t, d = inputs(imp, node)
    d = imp.const_int(d)
    d = d % (t.rank + 1)
    return imp.reshape(t, list(t.shape[:d]) + [1] + list(t.shape[d:]))


@handles("aten::squeeze")
def _squeeze(imp: Importer, node):
    args = inputs(imp, node)
    t = args[0]
    if len(args) == 1:
        return imp.reshape(t, [d for d in t.shape if d != 1])
    # squeeze(t, d), or squeeze(t, [dims]) (Core ATen's squeeze.dims)
    dims = (imp.const_list(args[1]) if isinstance(args[1], ListVal)
            else [imp.const_int(args[1])])
    drop = {d % t.rank for d in dims if t.shape[d % t.rank] == 1} if t.rank else set()
    return imp.reshape(t, [s for i, s in enumerate(t.shape) if i not in drop])


def _transpose_perm(imp: Importer, t: TensorVal, perm: list[int]) -> TensorVal:
    shape = [t.shape[p] for p in perm]
    out = tensor_type(shape, t.elt)
    name = imp.e.op(f"tosa.transpose {t.name} {{perms = array<i32: {', '.join(map(str, perm))}>}} "
                    f": ({t.type}) -> {out}")
    return TensorVal(name, shape, t.elt)


@handles("aten::transpose")
def _transpose(imp: Importer, node):
    t, a, b = inputs(imp, node)
    a, b = imp.const_int(a) % t.rank, imp.const_int(b) % t.rank
    perm = list(range(t.rank))
    perm[a], perm[b] = perm[b], perm[a]
    return _transpose_perm(imp, t, perm)


@handles("aten::t")
def _t(imp: Importer, node):
    t = imp.get(node.input())
    return _transpose_perm(imp, t, [1, 0]) if t.rank == 2 else t


@handles("aten::permute")
def _permute(imp: Importer, node):
    t, perm = inputs(imp, node)
    return _transpose_perm(imp, t, [p % t.rank for p in imp.const_list(perm)])


@handles("aten::cat")
def _cat(imp: Importer, node):
    tensors, dim = inputs(imp, node)
    items = [imp.tensor(x) for x in tensors.items]
    return _concat(imp, items, imp.const_int(dim) % items[0].rank)


@handles("aten::stack")
def _stack(imp: Importer, node):
    """stack(tensors, dim): each unsqueezed at dim, then concatenated."""
    tensors, dim = inputs(imp, node)
    items = [imp.tensor(x) for x in tensors.items]
    d = imp.const_int(dim) % (items[0].rank + 1)
    if any(x.shape.count(None) > 1 for x in items):
        parts = [TensorVal(imp.e.op(
            f"tensor.expand_shape {x.name} {_unsqueeze_assoc(x.rank, d)} output_shape "
            f"[{', '.join(_dims_with_unit(imp, x, d))}] : {x.type} into "
            f"{tensor_type(x.shape[:d] + [1] + x.shape[d:], x.elt)}"),
            x.shape[:d] + [1] + x.shape[d:], x.elt) for x in items]
    else:
        parts = [imp.reshape(x, x.shape[:d] + [1] + x.shape[d:]) for x in items]
    return _concat(imp, parts, d)


def _unsqueeze_assoc(rank: int, d: int) -> str:
    """The reassociation of tensor.expand_shape inserting a unit dim at d."""
    if rank == 0:
        return "[]"
    groups = [[k] for k in range(rank)]
    if d < rank:
        groups[d] = [d, d + 1]
        for k in range(d + 1, rank):
            groups[k] = [k + 1]
    else:
        groups[-1] = [rank - 1, rank]
    return "[" + ", ".join("[" + ", ".join(map(str, g)) + "]" for g in groups) + "]"


def _dims_with_unit(imp: Importer, x: TensorVal, d: int) -> list[str]:
    dims = [imp.dim_value(x, k) if s is None else str(s) for k, s in enumerate(x.shape)]
    return dims[:d] + ["1"] + dims[d:]


def _concat(imp: Importer, items: list[TensorVal], d: int) -> TensorVal:
    shape = list(items[0].shape)
    for x in items[1:]:
        shape = [a if i != d else None for i, a in enumerate(join_shapes(shape, x.shape))]
    sizes = [x.shape[d] for x in items]
    shape[d] = None if None in sizes else sum(sizes)
    for i in range(len(shape)):
        if i != d and shape[i] is None:
            shape[i] = next((x.shape[i] for x in items if x.shape[i] is not None), None)
    if len(items) == 1:
        return items[0]
    out = tensor_type(shape, items[0].elt)
    names = ", ".join(x.name for x in items)
    types = ", ".join(x.type for x in items)
    name = imp.e.op(f"tosa.concat {names} {{axis = {d} : i32}} : ({types}) -> {out}")
    return TensorVal(name, shape, items[0].elt)


@handles("aten::slice")
def _slice(imp: Importer, node):
    args = inputs(imp, node)
    if isinstance(args[0], ListVal):  # slice.t: a Python list (`x.size()[2:]`)
        items, start, end, step = args
        bound = lambda v: None if isinstance(v, NoneVal) else imp.const_int(v)
        return ListVal(items.items[bound(start):bound(end):bound(step)])
    t, dim, start, end, step = args
    d = imp.const_int(dim) % t.rank
    if imp.const_int(step) != 1:
        raise imp.fail("slices with a step other than 1")
    if any(isinstance(b, ScalarVal) and b.const is None for b in (start, end)):
        return _runtime_slice(imp, imp.tensor(t), d, start, end)
    begin = 0 if isinstance(start, NoneVal) else imp.const_int(start)
    stop = None if isinstance(end, NoneVal) else imp.const_int(end)
    extent = t.shape[d]
    whole = stop is None or stop >= 2**62  # x[begin:] is stored as end=INT64_MAX
    if extent is None:
        if begin == 0 and whole:
            return t
        return _runtime_slice(imp, t, d, start, end)  # clamped to the run-time extent
    if begin < 0:
        begin += extent
    if whole or stop > extent:
        stop = extent
    if stop < 0:
        stop += extent
    offsets = [0] * t.rank
    offsets[d] = begin
    shape = list(t.shape)
    shape[d] = stop - begin
    return imp.extract_slice(t, offsets, shape)


def slice_start(imp: Importer, t: TensorVal, d: int, start):
    """Where t[start:] begins along d, as aten::slice takes it (negative
    from the end, clamped to the extent): an int, or an index value."""
    if isinstance(start, NoneVal):
        return 0
    if start.const is not None and t.shape[d] is not None:
        n, begin = t.shape[d], int(start.const)
        return min(max(begin + n if begin < 0 else begin, 0), n)
    if start.const is not None and int(start.const) >= 0:
        return imp.e.op(f"arith.minsi {imp.index(int(start.const))}, {imp.dim_value(t, d)} : index")
    extent = imp.dim_value(t, d)
    i = imp.wrap_index(imp.index_of(imp.scalar(start, "i64").name, "i64"), extent)
    i = imp.e.op(f"arith.maxsi {i}, {imp.index(0)} : index")
    return imp.e.op(f"arith.minsi {i}, {extent} : index")


def _runtime_slice(imp: Importer, t: TensorVal, d: int, start, end) -> TensorVal:
    """t[start:end] along `d` with bounds known at run time (a value read
    from data, a loop's count): Python's rules in index arithmetic, a
    negative bound counts from the end and both are clamped to the extent,
    so the result may be empty but is never out of bounds."""
    extent = imp.dim_value(t, d)
    zero = imp.index(0)

    def bound(v, default: str) -> str:
        if isinstance(v, NoneVal):
            return default
        if v.const is not None and int(v.const) >= 2**62:  # x[a:] is end=INT64_MAX
            return extent
        s = imp.scalar(v, "i64")
        i = imp.wrap_index(imp.e.op(f"arith.index_cast {s.name} : i64 to index"), extent)
        i = imp.e.op(f"arith.maxsi {i}, {zero} : index")
        return imp.e.op(f"arith.minsi {i}, {extent} : index")

    begin = bound(start, zero)
    stop = bound(end, extent)
    size = imp.e.op(f"arith.maxsi {imp.e.op(f'arith.subi {stop}, {begin} : index')}, "
                    f"{zero} : index")
    offsets = [begin if i == d else 0 for i in range(t.rank)]
    shape = [None if i == d else s for i, s in enumerate(t.shape)]
    return imp.extract_slice(t, offsets, shape, {d: size})


def _pieces(imp: Importer, t: TensorVal, d: int, sizes: list[int]):
    """Slices of `t` along dim `d` of the given sizes, in order."""
    extent = t.shape[d]
    if extent is None:
        raise imp.fail("splitting a dynamic dim")
    if sum(sizes) != extent:
        raise imp.fail(f"split sizes {sizes} do not add up to the dim's {extent}")
    out, begin = [], 0
    for size in sizes:
        offsets = [0] * t.rank
        offsets[d] = begin
        shape = list(t.shape)
        shape[d] = size
        out.append(imp.extract_slice(t, offsets, shape))
        begin += size
    return ListVal(out)


@handles("aten::split_with_sizes")
def _split_with_sizes(imp: Importer, node):
    t, sizes, dim = inputs(imp, node)
    t = imp.tensor(t)
    return _pieces(imp, t, imp.const_int(dim) % t.rank, imp.const_list(sizes))


@handles("aten::split", "aten::chunk")
def _split(imp: Importer, node):
    """split(t, size, dim): pieces of `size` (the last one shorter);
    chunk(t, chunks, dim): `chunks` pieces of ceil(extent / chunks)."""
    t, n, dim = inputs(imp, node)
    t = imp.tensor(t)
    d = imp.const_int(dim) % t.rank
    if isinstance(n, ListVal):  # split(t, [sizes], dim)
        return _pieces(imp, t, d, imp.const_list(n))
    extent, n = t.shape[d], imp.const_int(n)
    if extent is None:
        raise imp.fail("splitting a dynamic dim")
    if n <= 0:
        raise imp.fail(f"{node.kind()} by {n}")
    size = n if node.kind() == "aten::split" else -(-extent // n)
    sizes = [min(size, extent - b) for b in range(0, extent, size)] if extent else [0]
    return _pieces(imp, t, d, sizes)


@handles("aten::expand")
def _expand(imp: Importer, node):
    """expand(x, sizes): broadcast to `sizes` (-1 keeps a dim; a size may be
    known only at run time), as x plus a zero tensor of that shape (fused
    away by the elementwise lowering)."""
    from dyn.frontend.ops.creation import _sized_tensor

    x, sizes = inputs(imp, node)[:2]
    x = imp.tensor(x)
    sizes = sizes.items if isinstance(sizes, ListVal) else []
    x = imp.expand_rank(x, len(sizes))
    target = []
    for d, size in enumerate(sizes):
        if isinstance(size, ScalarVal) and size.const == -1 or \
                isinstance(size, ScalarVal) and size.const is None and x.shape[d] != 1:
            # this dim of x as it is (a run-time size only broadcasts a 1)
            target.append(ScalarVal("i64", None, x.shape[d]) if x.shape[d] is not None else
                          ScalarVal("i64", imp.e.op(f"arith.index_cast {imp.dim_value(x, d)} "
                                                    ": index to i64")))
        elif isinstance(size, ScalarVal):
            target.append(size)
        else:
            raise imp.fail("expand to sizes that are not integers")
    zero = _sized_tensor(imp, target, x.elt, 0.0)
    return imp.binary("tosa.logical_or" if x.elt == "i1" else "tosa.add", x, zero)


@handles("aten::expand_as")
def _expand_as(imp: Importer, node):
    """x.expand_as(other): x broadcast to other's shape (x plus zeros of it)."""
    x, other = (imp.tensor(v) for v in inputs(imp, node)[:2])
    lead = other.rank - x.rank
    if lead < 0 or any(a not in (1, None) and b is not None and a != b
                       for a, b in zip(x.shape, other.shape[lead:])):
        raise imp.fail(f"cannot expand {x.type} to {other.type}")
    zero = TensorVal(imp.filled(other.shape, x.elt, [(other, d) for d in range(other.rank)]),
                     other.shape, x.elt)
    return imp.binary("tosa.logical_or" if x.elt == "i1" else "tosa.add", x, zero)


@handles("aten::select")
def _select(imp: Importer, node):
    t, dim, index = inputs(imp, node)
    d = imp.const_int(dim) % t.rank
    offsets = []
    for i in range(t.rank):
        if i == d:
            if isinstance(index, ScalarVal) and index.const is not None and \
                    (t.shape[d] is not None or index.const >= 0):
                idx = index.const % t.shape[d] if t.shape[d] else index.const
                offsets.append(str(idx))
            else:  # known at run time, or from the end of a dynamic dim
                s = imp.scalar(index, "i64")
                i = imp.e.op(f"arith.index_cast {s.name} : i64 to index")
                offsets.append(imp.wrap_index(i, imp.dim_value(t, d)))
        else:
            offsets.append("0")
    shape = [1 if i == d else s for i, s in enumerate(t.shape)]
    row = imp.extract_slice(t, offsets, shape)
    return imp.reshape(row, [s for i, s in enumerate(t.shape) if i != d])


# -- reductions -------------------------------------------------------------------


def _gather_rows(imp: Importer, table: TensorVal, idx: TensorVal) -> TensorVal:
    """The rows of the 2-d `table` that `idx` (any shape) picks, shaped
    idx.shape + [row width] (tosa.gather over one batch)."""
    count = None if None in idx.shape else math.prod(idx.shape)
    flat = imp.cast_elt(imp.reshape(idx, [1, count]), "i32")
    batch = imp.reshape(table, [1] + list(table.shape))
    shape = [1, count, table.shape[1]]
    out = tensor_type(shape, table.elt)
    name = imp.e.op(f"tosa.gather {batch.name}, {flat.name} : ({batch.type}, {flat.type}) -> {out}")
    return imp.reshape(TensorVal(name, shape, table.elt), list(idx.shape) + [table.shape[1]])


@handles("aten::embedding")
def _embedding(imp: Importer, node):
    weight, idx, *_ = inputs(imp, node)
    return _gather_rows(imp, imp.tensor(weight), imp.tensor(idx))


@handles("aten::constant_pad_nd")
def _constant_pad(imp: Importer, node):
    """constant_pad_nd(x, pad, value): pad lists (before, after) pairs from
    the last dim backwards, as F.pad; negative pads are not supported."""
    x, pad, value = inputs(imp, node)
    return _constant_padded(imp, imp.tensor(x), imp.const_list(pad), value)


def _constant_padded(imp: Importer, x: TensorVal, pads: list[int], value) -> TensorVal:
    """Negative pads crop (F.pad's rule; decompositions of fold emit them)."""
    if len(pads) % 2 or len(pads) // 2 > x.rank:
        raise imp.fail(f"padding {pads} of a rank-{x.rank} tensor")
    per_dim = [[0, 0] for _ in range(x.rank)]
    for i in range(len(pads) // 2):
        per_dim[x.rank - 1 - i] = [pads[2 * i], pads[2 * i + 1]]
    if any(p < 0 for p in pads):
        crop = [[max(-a, 0), max(-b, 0)] for a, b in per_dim]
        if any(x.shape[k] is None and (a or b) for k, (a, b) in enumerate(crop)) or any(
                s is not None and a + b > s for s, (a, b) in zip(x.shape, crop)):
            raise imp.fail(f"cropping {pads} of {x.type}")
        kept = [None if s is None else s - a - b for s, (a, b) in zip(x.shape, crop)]
        x = imp.extract_slice(x, [a for a, _ in crop], kept)
        per_dim = [[max(a, 0), max(b, 0)] for a, b in per_dim]
        if not any(a or b for a, b in per_dim):
            return x
    shape = [None if s is None else s + a + b for s, (a, b) in zip(x.shape, per_dim)]
    fill = 0.0 if isinstance(value, NoneVal) else float(value.const)
    pad_value = imp.e.tosa_const(dense_attr(np.full([1], fill), x.elt), tensor_type([1], x.elt))
    padding = imp.e.shape_const([p for pair in per_dim for p in pair])
    out = tensor_type(shape, x.elt)
    name = imp.e.op(f"tosa.pad {x.name}, {padding}, {pad_value} : ({x.type}, "
                    f"!tosa.shape<{2 * x.rank}>, {tensor_type([1], x.elt)}) -> {out}")
    return TensorVal(name, shape, x.elt)


@handles("aten::flip")
def _flip(imp: Importer, node):
    x, dims = inputs(imp, node)
    x = imp.tensor(x)
    for d in sorted({d % x.rank for d in imp.const_list(dims)}):
        x = TensorVal(imp.e.op(f"tosa.reverse {x.name} {{axis = {d} : i32}} : "
                               f"({x.type}) -> {x.type}"), list(x.shape), x.elt)
    return x


@handles("aten::repeat")
def _repeat(imp: Importer, node):
    """repeat(x, repeats): tosa.tile (extra leading repeats add dims)."""
    x, repeats = inputs(imp, node)
    x = imp.tensor(x)
    reps = imp.const_list(repeats)
    if len(reps) < x.rank:
        raise imp.fail("repeat with fewer repeats than dims")
    x = imp.expand_rank(x, len(reps))
    shape = [None if s is None else s * r for s, r in zip(x.shape, reps)]
    multiples = imp.e.shape_const(reps)
    out = tensor_type(shape, x.elt)
    name = imp.e.op(f"tosa.tile {x.name}, {multiples} : ({x.type}, "
                    f"!tosa.shape<{len(reps)}>) -> {out}")
    return TensorVal(name, shape, x.elt)


@handles("aten::index_select")
def _index_select(imp: Importer, node):
    """index_select(x, dim, index): the rows `index` picks along `dim`
    (tosa.gather over x with `dim` moved first and the rest flattened)."""
    x, dim, index = inputs(imp, node)
    x, index = imp.tensor(x), imp.tensor(index)
    d = imp.const_int(dim) % x.rank
    perm = [d] + [i for i in range(x.rank) if i != d]
    moved = _transpose_perm(imp, x, perm) if d else x
    rest = [s for i, s in enumerate(x.shape) if i != d]
    if None in rest:
        raise imp.fail("index_select of a tensor with dynamic dims besides the selected one")
    if index.rank != 1:
        raise imp.fail("index_select with an index that is not 1-d")
    table = imp.reshape(moved, [x.shape[d], math.prod(rest)])
    picked = imp.reshape(_gather_rows(imp, table, index), [index.shape[0]] + rest)
    if not d:
        return picked
    inverse = [perm.index(i) for i in range(x.rank)]
    return _transpose_perm(imp, picked, inverse)


@handles("aten::sym_numel", "aten::numel")
def _numel(imp: Importer, node):
    t = imp.tensor(imp.get(node.inputsAt(0)))
    total = ScalarVal("i64", None, 1)
    for d in range(t.rank):
        total = _scalar_binary(imp, "mul", total, _size_of(imp, t, d))
    return total


@handles("aten::sym_stride")
def _stride(imp: Importer, node):
    """The stride of a dim: every value the compiled code holds is a
    contiguous tensor of its own (the product of the sizes after it)."""
    t, dim = inputs(imp, node)[:2]
    total = ScalarVal("i64", None, 1)
    for d in range(imp.const_int(dim) % t.rank + 1, t.rank):
        total = _scalar_binary(imp, "mul", total, _size_of(imp, t, d))
    return total


@handles("aten::sym_storage_offset")
def _storage_offset(imp: Importer, node):
    """0: a contiguous tensor of its own (see sym_stride)."""
    return ScalarVal("i64", None, 0)
