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


def _sized_tensor(imp: Importer, sizes: list, elt: str, value: float) -> TensorVal:
    shape: Shape = []
    dynamic = []
    for s in sizes:
        if isinstance(s, ScalarVal) and s.const is not None:
            shape.append(int(s.const))
        else:
            shape.append(None)
            v = imp.scalar(s, "i64")
            dynamic.append(imp.e.op(f"arith.index_cast {v.name} : i64 to index"))
    if not dynamic:
        array = np.full(shape, value)
        return imp.constant_tensor(torch.from_numpy(array).to(to_torch(elt)))
    type_ = tensor_type(shape, elt)
    empty = imp.e.op(f"tensor.empty({', '.join(dynamic)}) : {type_}")
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
    if not isinstance(fill, ScalarVal) or fill.const is None:
        raise imp.fail("a fill value computed at run time")
    if isinstance(dtype, NoneVal):
        elt = {"i1": "i1", "i64": "i64"}.get(fill.kind, "f32")
    else:
        elt = _dtype_name(imp.const_int(dtype))
    if elt is None:
        raise imp.fail("unsupported dtype")
    return _sized_tensor(imp, sizes.items, elt, float(fill.const))
