"""Normalisation and activation: relu, gelu, softmax, layer and batch
normalisation (folded into a scale and shift at import)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import torch

from dyn.frontend.registry import handles, inputs
from dyn.frontend.values import NoneVal, ScalarVal

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer

@handles("aten::relu", "aten::relu_")
def _relu(imp: Importer, node):
    t = imp.tensor(imp.get(node.inputsAt(0)))
    return imp.unary("tosa.clamp", t, " {min_val = 0.0 : f32, max_val = 3.4e38 : f32}")


@handles("aten::gelu")
def _gelu(imp: Importer, node):
    x = imp.tensor(imp.get(node.inputsAt(0)))
    scaled = imp.binary("tosa.mul", x, ScalarVal("f64", None, 1 / math.sqrt(2)))
    erf = imp.unary("tosa.erf", scaled)
    one_plus = imp.binary("tosa.add", erf, ScalarVal("f64", None, 1.0))
    half = imp.binary("tosa.mul", x, ScalarVal("f64", None, 0.5))
    return imp.binary("tosa.mul", half, one_plus)


@handles("aten::softmax", "aten::log_softmax")
def _softmax(imp: Importer, node):
    t, dim, _dtype = inputs(imp, node)
    t = imp.tensor(t)
    d = imp.const_int(dim) % t.rank
    mx = imp.reduce("tosa.reduce_max", t, [d], True)
    shifted = imp.binary("tosa.sub", t, mx)
    ex = imp.unary("tosa.exp", shifted)
    total = imp.reduce("tosa.reduce_sum", ex, [d], True)
    if node.kind() == "aten::log_softmax":
        return imp.binary("tosa.sub", shifted, imp.unary("tosa.log", total))
    return imp.binary("tosa.mul", ex, imp.unary("tosa.reciprocal", total))


@handles("aten::layer_norm")
def _layer_norm(imp: Importer, node):
    x, shape, w, b, eps, _cudnn = inputs(imp, node)
    x = imp.tensor(x)
    n = len(shape.items)
    dims = list(range(x.rank - n, x.rank))
    count = math.prod(x.shape[d] for d in dims)
    mean = imp.binary("tosa.mul", imp.reduce("tosa.reduce_sum", x, dims, True),
                      ScalarVal("f64", None, 1.0 / count))
    centered = imp.binary("tosa.sub", x, mean)
    var = imp.binary("tosa.mul", imp.reduce("tosa.reduce_sum",
                                            imp.binary("tosa.mul", centered, centered), dims, True),
                     ScalarVal("f64", None, 1.0 / count))
    rstd = imp.unary("tosa.rsqrt", imp.binary("tosa.add", var, ScalarVal("f64", None, float(eps.const))))
    y = imp.binary("tosa.mul", centered, rstd)
    if not isinstance(w, NoneVal):
        y = imp.binary("tosa.mul", y, w)
    if not isinstance(b, NoneVal):
        y = imp.binary("tosa.add", y, b)
    return y


@handles("aten::batch_norm")
def _batch_norm(imp: Importer, node):
    x, w, b, mean, var, _training, _momentum, eps, _cudnn = inputs(imp, node)
    x = imp.tensor(x)
    # Inference: y = x * scale + shift per channel (dim 1), folded at import.
    get = lambda v: imp.constant_array(v).astype(np.float64)
    scale = get(w) / np.sqrt(get(var) + float(eps.const))
    shift = get(b) - get(mean) * scale
    shape = [1, x.shape[1]] + [1] * (x.rank - 2)
    s = imp.constant_tensor(torch.from_numpy(scale.astype(np.float32).reshape(shape)))
    t = imp.constant_tensor(torch.from_numpy(shift.astype(np.float32).reshape(shape)))
    return imp.binary("tosa.add", imp.binary("tosa.mul", x, s), t)
