"""Normalisation and activation: relu, gelu, softmax, layer and batch
normalisation (folded into a scale and shift at import)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import torch

from dyn.frontend.registry import handles, inputs, register
from dyn.frontend.values import NoneVal, ScalarVal, TensorVal

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer

@handles("aten::relu", "aten::relu_")
def _relu(imp: Importer, node):
    t = imp.tensor(imp.get(node.inputsAt(0)))
    return imp.unary("tosa.clamp", t, " {min_val = 0.0 : f32, max_val = 3.4e38 : f32}")


@handles("aten::gelu", "aten::gelu_")
def _gelu(imp: Importer, node):
    args = inputs(imp, node)
    x = imp.tensor(args[0])
    if len(args) > 1 and isinstance(args[1], ScalarVal) and args[1].const == "tanh":
        # 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        cube = imp.binary("tosa.mul", imp.binary("tosa.mul", x, x), x)
        inner = imp.binary("tosa.add", x, imp.binary("tosa.mul", cube, _f(0.044715)))
        t = imp.unary("tosa.tanh", imp.binary("tosa.mul", inner, _f(math.sqrt(2 / math.pi))))
        return imp.binary("tosa.mul", imp.binary("tosa.mul", x, _f(0.5)),
                          imp.binary("tosa.add", t, _f(1.0)))
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


# -- statistics computed from the data (group norm, batch norm in training) --------
def _count(imp: Importer, x: TensorVal, dims: list[int], like: TensorVal) -> TensorVal:
    """How many elements `dims` of x hold, as a tensor of like's rank
    (static, or computed from the dynamic sizes)."""
    static = [x.shape[d] for d in dims if x.shape[d] is not None]
    count = ScalarVal("i64", None, math.prod(static))
    for d in dims:
        if x.shape[d] is None:
            n = imp.e.op(f"arith.index_cast {imp.dim_value(x, d)} : index to i64")
            count = ScalarVal("i64", imp.e.op(f"arith.muli {imp.scalar(count).name}, {n} : i64"))
    if count.const is not None:
        return imp.tensor(ScalarVal("f64", None, float(count.const)), like)
    return imp.tensor(ScalarVal("f64", imp.convert_scalar(count.name, "i64", "f64")), like)


def _moments(imp: Importer, x: TensorVal, dims: list[int], eps: float):
    """(x - mean, mean, 1 / sqrt(biased var + eps)) over dims (kept)."""
    n = imp.unary("tosa.reciprocal", _count(imp, x, dims, x))
    mean = imp.binary("tosa.mul", imp.reduce("tosa.reduce_sum", x, dims, True), n)
    centered = imp.binary("tosa.sub", x, mean)
    var = imp.binary("tosa.mul", imp.reduce("tosa.reduce_sum", imp.binary(
        "tosa.mul", centered, centered), dims, True), n)
    rstd = imp.unary("tosa.rsqrt", imp.binary("tosa.add", var, ScalarVal("f64", None, eps)))
    return centered, mean, rstd


def _per_channel(imp: Importer, y: TensorVal, w, b) -> TensorVal:
    """y * w + b with w, b of y's dim 1."""
    shape = [1, y.shape[1]] + [1] * (y.rank - 2)
    if not isinstance(w, NoneVal):
        y = imp.binary("tosa.mul", y, imp.reshape(imp.tensor(w), shape))
    if not isinstance(b, NoneVal):
        y = imp.binary("tosa.add", y, imp.reshape(imp.tensor(b), shape))
    return y


@handles("aten::native_group_norm")
def _group_norm(imp: Importer, node):
    """native_group_norm(x, w, b, N, C, HxW, groups, eps) -> (y, mean,
    rstd): statistics over each group of C / groups channels and all
    positions (x viewed as N x groups x C/groups x ...)."""
    x, w, b, _n, _c, _hw, groups, eps = inputs(imp, node)[:8]
    return _group_normed(imp, imp.tensor(x), w, b, imp.const_int(groups), float(eps.const))


@handles("aten::group_norm")
def _group_norm_ts(imp: Importer, node):
    """group_norm(x, groups, w, b, eps, cudnn): TorchScript's spelling."""
    x, groups, w, b, eps = inputs(imp, node)[:5]
    return _group_normed(imp, imp.tensor(x), w, b, imp.const_int(groups), float(eps.const))[0]


@handles("aten::instance_norm")
def _instance_norm(imp: Importer, node):
    """instance_norm(x, w, b, running_mean, running_var, use_input_stats,
    momentum, eps, cudnn): statistics of each sample's channel."""
    x, w, b, mean, var, use_input_stats, _momentum, eps = inputs(imp, node)[:8]
    x = imp.tensor(x)
    if not bool(use_input_stats.const):  # running statistics, as batch norm
        shape = [1, x.shape[1]] + [1] * (x.rank - 2)
        m, v = (imp.reshape(imp.tensor(t), shape) for t in (mean, var))
        rstd = imp.unary("tosa.rsqrt", imp.binary("tosa.add", v, ScalarVal("f64", None, float(eps.const))))
        return _per_channel(imp, imp.binary("tosa.mul", imp.binary("tosa.sub", x, m), rstd), w, b)
    centered, _mean, rstd = _moments(imp, x, list(range(2, x.rank)), float(eps.const))
    return _per_channel(imp, imp.binary("tosa.mul", centered, rstd), w, b)


def _group_normed(imp: Importer, x: TensorVal, w, b, g: int, eps: float) -> list:
    c = x.shape[1]
    if c is None or c % g:
        raise imp.fail(f"group norm of {c} channels in {g} groups")
    grouped_shape = [x.shape[0], g, c // g] + list(x.shape[2:])
    dynamic = [imp.dim_value(x, k) if s is None else str(s)
               for k, s in zip([0, None, None] + list(range(2, x.rank)), grouped_shape)]
    assoc = "[[0], [1, 2]" + "".join(f", [{k + 1}]" for k in range(2, x.rank)) + "]"
    out_type = TensorVal("", grouped_shape, x.elt).type
    grouped = TensorVal(imp.e.op(f"tensor.expand_shape {x.name} {assoc} output_shape "
                                 f"[{', '.join(dynamic)}] : {x.type} into {out_type}"),
                        grouped_shape, x.elt)
    centered, mean, rstd = _moments(imp, grouped, list(range(2, grouped.rank)), eps)
    y = imp.binary("tosa.mul", centered, rstd)
    y = TensorVal(imp.e.op(f"tensor.collapse_shape {y.name} {assoc} : {y.type} into {x.type}"),
                  list(x.shape), x.elt)
    stats = [x.shape[0], g]
    return [_per_channel(imp, y, w, b), imp.reshape(mean, stats), imp.reshape(rstd, stats)]


@handles("aten::_native_batch_norm_legit")
def _batch_norm_from_data(imp: Importer, node):
    """_native_batch_norm_legit: batch norm with the batch's statistics
    (training mode; instance norm is this over N x C channels). Only the
    no_stats form: updating running statistics is training state, which
    an inference compile would lose."""
    args = inputs(imp, node)
    if len(args) == 6:
        x, w, b, training, _momentum, eps = args
    else:
        x, w, b, running_mean, _var, training, _momentum, eps = args
        if not isinstance(running_mean, NoneVal):
            raise imp.fail("batch norm in training mode updates its running statistics "
                           "(call model.eval() before compiling)")
    x = imp.tensor(x)
    dims = [0] + list(range(2, x.rank))
    centered, mean, rstd = _moments(imp, x, dims, float(eps.const))
    y = _per_channel(imp, imp.binary("tosa.mul", centered, rstd), w, b)
    return [y, imp.reshape(mean, [x.shape[1]]), imp.reshape(rstd, [x.shape[1]])]


@handles("aten::native_dropout")
def _native_dropout(imp: Importer, node):
    """native_dropout(x, p, train): the identity and an all-true mask when
    not training; training-mode dropout draws random numbers, which the
    compiled model would not draw as PyTorch does."""
    x, _p, train = inputs(imp, node)[:3]
    x = imp.tensor(x)
    if isinstance(train, ScalarVal) and train.const is False:
        return [x, imp.compare("tosa.equal", x, x)]
    raise imp.fail("dropout in training mode (call model.eval() before compiling)")


# -- more activations (and the in-place forms nn modules call with inplace=True) ----
def _f(value: float) -> ScalarVal:
    return ScalarVal("f64", None, value)


def _relu6_of(imp: Importer, x: TensorVal) -> TensorVal:
    return imp.binary("tosa.minimum", imp.binary("tosa.maximum", x, _f(0.0)), _f(6.0))


def _activation(build):
    def handler(imp: Importer, node):
        args = inputs(imp, node)
        return build(imp, imp.tensor(args[0]), *args[1:])
    return handler


def _silu(imp, x, *_):
    return imp.binary("tosa.mul", x, imp.unary("tosa.sigmoid", x))


def _hardsigmoid(imp, x, *_):
    return imp.binary("tosa.mul", _relu6_of(imp, imp.binary("tosa.add", x, _f(3.0))), _f(1 / 6))


def _hardswish(imp, x, *_):
    return imp.binary("tosa.mul", x, _hardsigmoid(imp, x))


def _softplus(imp, x, beta=None, threshold=None, *_):
    """log(1 + exp(beta x)) / beta, x itself where beta x > threshold."""
    from dyn.frontend.ops.elementwise import _select

    b = float(beta.const) if isinstance(beta, ScalarVal) else 1.0
    th = float(threshold.const) if isinstance(threshold, ScalarVal) else 20.0
    bx = imp.binary("tosa.mul", x, _f(b))
    soft = imp.binary("tosa.mul", imp.unary("tosa.log", imp.binary(
        "tosa.add", imp.unary("tosa.exp", bx), _f(1.0))), _f(1 / b))
    return _select(imp, imp.compare("tosa.greater", bx, _f(th)), x, soft)


def _mish(imp, x, *_):
    return imp.binary("tosa.mul", x, imp.unary("tosa.tanh", _softplus(imp, x)))


def _elu_like(imp, x, alpha: float, scale: float, input_scale: float) -> TensorVal:
    from dyn.frontend.ops.elementwise import _select

    negative = imp.binary("tosa.mul", imp.binary("tosa.sub", imp.unary(
        "tosa.exp", imp.binary("tosa.mul", x, _f(input_scale))), _f(1.0)), _f(alpha))
    return imp.binary("tosa.mul", _select(imp, imp.compare("tosa.greater", x, _f(0.0)), x,
                                          negative), _f(scale))


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _selu(imp, x, *_):
    return _elu_like(imp, x, _SELU_ALPHA, _SELU_SCALE, 1.0)


def _celu(imp, x, alpha=None, *_):
    a = float(alpha.const) if isinstance(alpha, ScalarVal) else 1.0
    return _elu_like(imp, x, a, 1.0, 1.0 / a)


def _log_sigmoid(imp, x, *_):
    """-softplus(-x), stable for large |x|."""
    neg = imp.binary("tosa.sub", _f(0.0), x)
    return imp.binary("tosa.sub", _f(0.0), _softplus(imp, neg))


def _softsign(imp, x, *_):
    return imp.binary("tosa.mul", x, imp.unary("tosa.reciprocal", imp.binary(
        "tosa.add", imp.unary("tosa.abs", x), _f(1.0))))


def _tanhshrink(imp, x, *_):
    return imp.binary("tosa.sub", x, imp.unary("tosa.tanh", x))


def _threshold(imp, x, threshold, value, *_):
    from dyn.frontend.ops.elementwise import _select

    above = imp.compare("tosa.greater", x, threshold)
    return _select(imp, above, x, imp.expand_rank(imp.tensor(value, x), x.rank))


def _shrink(soft: bool):
    def build(imp, x, lambd=None, *_):
        from dyn.frontend.ops.elementwise import _select

        lam = float(lambd.const) if isinstance(lambd, ScalarVal) else 0.5
        outside = imp.compare("tosa.greater", imp.unary("tosa.abs", x), _f(lam))
        zero = imp.expand_rank(imp.tensor(_f(0.0), x), x.rank)
        if not soft:
            return _select(imp, outside, x, zero)
        pos = imp.compare("tosa.greater", x, _f(0.0))
        shifted = _select(imp, pos, imp.binary("tosa.sub", x, _f(lam)),
                          imp.binary("tosa.add", x, _f(lam)))
        return _select(imp, outside, shifted, zero)
    return build


for _names, _build in ((("silu", "silu_"), _silu), (("hardswish", "hardswish_"), _hardswish),
                       (("hardsigmoid", "hardsigmoid_"), _hardsigmoid),
                       (("mish", "mish_"), _mish), (("softplus",), _softplus),
                       (("selu", "selu_"), _selu), (("celu", "celu_"), _celu),
                       (("log_sigmoid",), _log_sigmoid), (("softsign",), _softsign),
                       (("tanhshrink",), _tanhshrink),
                       (("threshold", "threshold_"), _threshold),
                       (("hardshrink",), _shrink(False)), (("softshrink",), _shrink(True)),
                       (("relu6", "relu6_"), lambda imp, x, *_: _relu6_of(imp, x))):
    for _name in _names:
        register(f"aten::{_name}", _activation(_build))


@handles("aten::prelu")
def _prelu(imp: Importer, node):
    """prelu(x, weight): weight per channel (dim 1) or one for all."""
    from dyn.frontend.ops.elementwise import _select

    x, w = inputs(imp, node)[:2]
    x, w = imp.tensor(x), imp.tensor(w)
    if w.rank == 1 and w.shape[0] != 1 and x.rank > 1:
        w = imp.reshape(w, [1, w.shape[0]] + [1] * (x.rank - 2))
    scaled = imp.binary("tosa.mul", x, w)
    return _select(imp, imp.compare("tosa.greater", x, _f(0.0)), x, scaled)


@handles("aten::glu")
def _glu(imp: Importer, node):
    """glu(x, dim): first half times the sigmoid of the second."""
    x, dim = inputs(imp, node)[:2]
    x = imp.tensor(x)
    d = imp.const_int(dim) % x.rank
    n = x.shape[d]
    if n is None or n % 2:
        raise imp.fail("glu over a dim of odd or dynamic size")
    half = list(x.shape)
    half[d] = n // 2
    a = imp.extract_slice(x, [0] * x.rank, half)
    b = imp.extract_slice(x, [n // 2 if k == d else 0 for k in range(x.rank)], half)
    return imp.binary("tosa.mul", a, imp.unary("tosa.sigmoid", b))
