"""Creation: zeros, ones and constant fills of constant or computed sizes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from dyn.dtypes import BY_SCALAR_TYPE, to_torch
from dyn.frontend.emitter import float_literal
from dyn.frontend.registry import handles as register_handler
from dyn.frontend.registry import register
from dyn.frontend.registry import inputs
from dyn.frontend.values import NoneVal, ScalarVal, Shape, TensorVal, tensor_type

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer

def _dtype_name(scalar_type: int):
    """The element type of a TorchScript dtype constant (a c10::ScalarType)."""
    dtype = BY_SCALAR_TYPE.get(scalar_type)
    return dtype.name if dtype is not None and dtype.numpy else None


def _sized_tensor(imp: Importer, sizes: list, elt: str, value) -> TensorVal:
    """A tensor of `sizes` filled with `value` (a number, or a ScalarVal
    known only at run time)."""
    shape: Shape = []
    dynamic = []
    for s in sizes:
        if isinstance(s, ScalarVal) and s.const is not None:
            shape.append(int(s.const))
        else:
            shape.append(None)
            v = imp.scalar(s, "i64")
            dynamic.append(imp.e.op(f"arith.index_cast {v.name} : i64 to index"))
    if isinstance(value, ScalarVal) and value.const is not None:
        value = float(value.const)
    if not dynamic and not isinstance(value, ScalarVal):
        array = np.full(shape, value)
        return imp.constant_tensor(torch.from_numpy(array).to(to_torch(elt)))
    type_ = tensor_type(shape, elt)
    empty = imp.e.op(f"tensor.empty({', '.join(dynamic)}) : {type_}")
    if isinstance(value, ScalarVal):  # a fill computed at run time
        scalar = imp.scalar(value, "f64" if elt.startswith(("f", "bf")) else
                            ("i1" if elt == "i1" else "i64"))
        fill = imp.convert_scalar(scalar.name, scalar.kind, elt) if scalar.kind != elt \
            else scalar.name
    else:
        lit = float_literal(value) if elt.startswith("f") else str(int(value))
        fill = imp.e.constant(lit, elt)
    name = imp.e.op(f"linalg.fill ins({fill} : {elt}) outs({empty} : {type_}) -> {type_}")
    return TensorVal(name, shape, elt)


def _constructor(value: float):
    def handler(imp: Importer, node):
        args = inputs(imp, node)
        sizes, dtype = args[0], args[1]
        elt = "f32" if isinstance(dtype, NoneVal) else _dtype_name(imp.const_int(dtype))
        if elt is None:
            raise imp.fail("unsupported dtype")
        return _sized_tensor(imp, sizes.items, elt, value)
    return handler


register("aten::zeros", _constructor(0.0))
register("aten::ones", _constructor(1.0))


@register_handler("aten::full")
def _full(imp: Importer, node):
    """full(size, fill_value, dtype, ...): a constant fill (PyTorch 2's
    Core ATen spelling of zeros / ones / scalar initial values)."""
    args = inputs(imp, node)
    sizes, fill, dtype = args[0], args[1], args[2]
    if not isinstance(fill, ScalarVal):
        raise imp.fail("a fill value that is not a number")
    if isinstance(dtype, NoneVal):
        elt = {"i1": "i1", "i64": "i64"}.get(fill.kind, "f32")
    else:
        elt = _dtype_name(imp.const_int(dtype))
    if elt is None:
        raise imp.fail("unsupported dtype")
    return _sized_tensor(imp, sizes.items, elt, fill)


@register_handler("aten::full_like")
def _full_like(imp: Importer, node):
    """full_like(x, fill, dtype, ...): x's shape (its dynamic dims too)."""
    x, fill, dtype = inputs(imp, node)[:3]
    return _filled_like(imp, imp.tensor(x), fill, dtype)


def _like(value: float):
    """zeros_like / ones_like(x, dtype, ...)."""
    def handler(imp: Importer, node):
        x, dtype = inputs(imp, node)[:2]
        return _filled_like(imp, imp.tensor(x), ScalarVal("f64", None, value), dtype)
    return handler


register("aten::zeros_like", _like(0.0))
register("aten::ones_like", _like(1.0))


@register_handler("aten::fill_", "aten::zero_")
def _fill_in_place(imp: Importer, node):
    """x.fill_(v) / x.zero_(): x's shape and dtype filled (the importer makes
    it x's value from then on; `x[0] = 5.0` is a fill_ of a view)."""
    args = inputs(imp, node)
    x = imp.tensor(args[0])
    value = ScalarVal("f64", None, 0.0) if node.kind() == "aten::zero_" else args[1]
    if isinstance(value, TensorVal):
        value = imp.scalar(value, "f64" if x.elt.startswith(("f", "bf")) else "i64")
    return _filled_like(imp, x, value, NoneVal())


def _filled_like(imp: Importer, x: TensorVal, fill, dtype) -> TensorVal:
    elt = x.elt if isinstance(dtype, NoneVal) else _dtype_name(imp.const_int(dtype))
    if elt is None or not isinstance(fill, ScalarVal):
        raise imp.fail("unsupported dtype or fill value")
    sizes = [ScalarVal("i64", None, d) if d is not None else
             ScalarVal("i64", imp.e.op(f"arith.index_cast {imp.dim_value(x, i)} : index to i64"))
             for i, d in enumerate(x.shape)]
    return _sized_tensor(imp, sizes, elt, fill)


@register_handler("aten::scalar_tensor")
def _scalar_tensor(imp: Importer, node):
    value, dtype = inputs(imp, node)[:2]
    elt = "f32" if isinstance(dtype, NoneVal) else _dtype_name(imp.const_int(dtype))
    if elt is None or not isinstance(value, ScalarVal):
        raise imp.fail("unsupported dtype or value")
    return _sized_tensor(imp, [], elt, value)


@register_handler("aten::arange")
def _arange(imp: Importer, node):
    """arange(start, end, step, dtype, ...): a constant when the bounds are;
    else ceil((end - start) / step) elements start + i step, computed in i64
    or f64 as PyTorch does (a dynamic size: `torch.arange(x.shape[1])`)."""
    args = inputs(imp, node)
    one, zero = ScalarVal("i64", None, 1), ScalarVal("i64", None, 0)
    # arange(end, dtype, layout, device, pin_memory), arange.start(start, end,
    # dtype, ...), arange.start_step(start, end, step, dtype, ...)
    start, end, step, dtype = ([zero, args[0], one, args[1]] if len(args) == 5 else
                               [args[0], args[1], one, args[2]] if len(args) == 6 else args[:4])
    kinds = {start.kind, end.kind, step.kind}
    elt = (_dtype_name(imp.const_int(dtype)) if not isinstance(dtype, NoneVal)
           else "f32" if "f64" in kinds else "i64")
    if all(isinstance(v, ScalarVal) and v.const is not None for v in (start, end, step)):
        values = torch.arange(start.const, end.const, step.const, dtype=to_torch(elt))
        return imp.constant_tensor(values)
    if elt is None:
        raise imp.fail("arange of an unsupported dtype")
    work = "f64" if "f64" in kinds else "i64"
    a, b, c = (imp.scalar(v, work).name for v in (start, end, step))
    span = imp.e.op(f"arith.sub{'f' if work == 'f64' else 'i'} {b}, {a} : {work}")
    if work == "f64":
        steps = imp.e.op(f"math.ceil {imp.e.op(f'arith.divf {span}, {c} : f64')} : f64")
        count = imp.e.op(f"arith.fptosi {steps} : f64 to i64")
    else:
        count = imp.e.op(f"arith.ceildivsi {span}, {c} : i64")
    count = imp.e.op(f"arith.maxsi {count}, {imp.e.constant('0', 'i64')} : i64")
    size = imp.e.op(f"arith.index_cast {count} : i64 to index")

    def body(args, acc):
        i = imp.convert_scalar(imp.e.op(f"arith.index_cast {imp.loop(0)} : index to i64"),
                               "i64", work)
        f = "f" if work == "f64" else "i"
        value = imp.e.op(f"arith.add{f} {a}, {imp.e.op(f'arith.mul{f} {i}, {c} : {work}')} : {work}")
        return imp.convert_scalar(value, work, elt)
    return imp.generic([], [None], elt, body, sizes=[size])


@register_handler("aten::tensor", "aten::as_tensor")
def _tensor(imp: Importer, node):
    """torch.tensor(data, dtype, ...) of a number or a (nested) list of
    numbers: a constant where all are known at import, else the numbers
    gathered at run time (tensor.from_elements)."""
    from dyn.frontend.values import ListVal

    data, dtype = inputs(imp, node)[:2]

    def flat(v, depth=0):
        if isinstance(v, ListVal):
            items = [flat(x, depth + 1) for x in v.items]
            shapes = {tuple(s) for _, s in items}
            if len(shapes) > 1:
                raise imp.fail("torch.tensor of a ragged list")
            inner = list(shapes.pop()) if items else []
            return [x for xs, _ in items for x in xs], [len(items)] + inner
        if isinstance(v, ScalarVal) and v.kind in ("i1", "i64", "f64"):
            return [v], []
        raise imp.fail(f"torch.tensor of a {type(v).__name__}")
    values, shape = flat(data)
    kinds = {v.kind for v in values}
    default = "f32" if "f64" in kinds else "i1" if kinds == {"i1"} else "i64"
    elt = default if isinstance(dtype, NoneVal) else _dtype_name(imp.const_int(dtype))
    if elt is None:
        raise imp.fail("torch.tensor of an unsupported dtype")
    if all(v.const is not None for v in values):
        array = np.array([v.const for v in values]).reshape(shape)
        return imp.constant_tensor(torch.from_numpy(array).to(to_torch(elt)))
    scalar_kind = "f64" if elt.startswith(("f", "bf")) else ("i1" if elt == "i1" else "i64")
    names = []
    for v in values:
        s = imp.scalar(v, scalar_kind)
        names.append(imp.convert_scalar(s.name, s.kind, elt))
    flat_t = TensorVal(imp.e.op(f"tensor.from_elements {', '.join(names)} : "
                                f"{tensor_type([len(names)], elt)}"), [len(names)], elt)
    return imp.reshape(flat_t, shape)
