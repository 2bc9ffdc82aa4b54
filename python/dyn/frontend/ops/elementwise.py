"""Elementwise ops: arithmetic (tensor or scalar operands, broadcasting),
unary math, comparisons and logic, powers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from dyn.frontend.ops.scalar import _scalar_binary
from dyn.frontend.registry import handles, inputs, register
from dyn.frontend.values import NoneVal, ScalarVal, TensorVal, broadcast_shapes, tensor_type

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer

def _binary(kind: str, tosa: str):
    def handler(imp: Importer, node):
        args = inputs(imp, node)
        a, b = args[0], args[1]
        if len(args) > 2 and isinstance(args[2], ScalarVal) and args[2].const not in (None, 1):
            b = imp.binary("tosa.mul", b, args[2]) if isinstance(b, TensorVal) else \
                _scalar_binary(imp, "mul", b, args[2])
        if isinstance(a, ScalarVal) and isinstance(b, ScalarVal):
            return _scalar_binary(imp, kind, a, b)
        if kind == "div":
            t = a if isinstance(a, TensorVal) else b
            elt = t.elt if t.elt.startswith("f") else "f32"
            denom = imp.cast_elt(imp.tensor(b, t), elt)
            recip = imp.unary("tosa.reciprocal", denom)
            return imp.binary("tosa.mul", imp.cast_elt(imp.tensor(a, t), elt), recip, elt)
        return imp.binary(tosa, a, b)
    return handler


for _k, _t in (("add", "tosa.add"), ("sub", "tosa.sub"), ("mul", "tosa.mul"), ("div", "tosa.mul")):
    register(f"aten::{_k}", _binary(_k, _t))
    register(f"aten::{_k}_", _binary(_k, _t))


@handles("aten::rsub")
def _rsub(imp: Importer, node):
    a, b, *alpha = inputs(imp, node)
    return imp.binary("tosa.sub", b, a)


@handles("aten::neg")
def _neg(imp: Importer, node):
    a = imp.get(node.inputsAt(0))
    if isinstance(a, ScalarVal):
        return _scalar_binary(imp, "sub", ScalarVal(a.kind, None, 0), a)
    return imp.binary("tosa.sub", ScalarVal("f64", None, 0.0), a)


def _unary(op: str, attrs: str = ""):
    return lambda imp, node: imp.unary(op, imp.tensor(imp.get(node.inputsAt(0))), attrs)


register("aten::sigmoid", _unary("tosa.sigmoid"))
register("aten::tanh", _unary("tosa.tanh"))
register("aten::exp", _unary("tosa.exp"))
register("aten::log", _unary("tosa.log"))
register("aten::abs", _unary("tosa.abs"))
register("aten::sqrt", lambda imp, node: imp.unary(
    "tosa.reciprocal", imp.unary("tosa.rsqrt", imp.tensor(imp.get(node.inputsAt(0))))))


def _cmp(tosa: str, swap: bool, negate: bool, pyop: Callable, arith_i: str, arith_f: str):
    def handler(imp: Importer, node):
        a, b = inputs(imp, node)
        if isinstance(a, ScalarVal) and isinstance(b, ScalarVal):
            if a.const is not None and b.const is not None:
                return ScalarVal("i1", None, bool(pyop(a.const, b.const)))
            k = "f64" if "f64" in (a.kind, b.kind) else ("i1" if a.kind == b.kind == "i1" else "i64")
            x, y = imp.scalar(a, k), imp.scalar(b, k)
            if k == "f64":
                return ScalarVal("i1", imp.e.op(f"arith.cmpf {arith_f}, {x.name}, {y.name} : f64"))
            return ScalarVal("i1", imp.e.op(f"arith.cmpi {arith_i}, {x.name}, {y.name} : {k}"))
        return imp.compare(tosa, a, b, swap=swap, negate=negate)
    return handler


register("aten::gt", _cmp("tosa.greater", False, False, lambda x, y: x > y, "sgt", "ogt"))
register("aten::lt", _cmp("tosa.greater", True, False, lambda x, y: x < y, "slt", "olt"))
register("aten::ge", _cmp("tosa.greater_equal", False, False, lambda x, y: x >= y, "sge", "oge"))
register("aten::le", _cmp("tosa.greater_equal", True, False, lambda x, y: x <= y, "sle", "ole"))
register("aten::eq", _cmp("tosa.equal", False, False, lambda x, y: x == y, "eq", "oeq"))
register("aten::ne", _cmp("tosa.equal", False, True, lambda x, y: x != y, "ne", "une"))


@handles("aten::__not__")
def _not(imp: Importer, node):
    a = imp.get(node.input())
    if isinstance(a, TensorVal):
        return imp.unary("tosa.logical_not", a)
    if a.const is not None:
        return ScalarVal("i1", None, not a.const)
    x = imp.scalar(a, "i1")
    true = imp.e.constant("1", "i1")
    return ScalarVal("i1", imp.e.op(f"arith.xori {x.name}, {true} : i1"))


@handles("aten::pow")
def _pow(imp: Importer, node):
    a, b = inputs(imp, node)
    if isinstance(a, ScalarVal) and isinstance(b, ScalarVal) and a.const is not None and b.const is not None:
        result = a.const ** b.const
        return ScalarVal("f64" if isinstance(result, float) else "i64", None, result)
    if isinstance(a, TensorVal) and isinstance(b, ScalarVal) and b.const is not None:
        e = b.const
        if e == 1:
            return a
        if e == 2:
            return imp.binary("tosa.mul", a, a)
        if e == 3:
            return imp.binary("tosa.mul", imp.binary("tosa.mul", a, a), a)
        if a.elt.startswith(("f", "bf")):
            if e == 0.5:
                return imp.unary("tosa.reciprocal", imp.unary("tosa.rsqrt", a))
            if e == -0.5:
                return imp.unary("tosa.rsqrt", a)
            if e == -1:
                return imp.unary("tosa.reciprocal", a)
    if isinstance(a, TensorVal) and a.elt.startswith(("f", "bf")):
        return imp.binary("tosa.pow", a, b)  # powf: NaN for x < 0 and fractional y
    raise imp.fail("pow of integer tensors other than squares and cubes")


# -- more unary math, selection and clamping (Core ATen spells these out) ---------
register("aten::rsqrt", _unary("tosa.rsqrt"))
register("aten::reciprocal", _unary("tosa.reciprocal"))
register("aten::sin", _unary("tosa.sin"))
register("aten::cos", _unary("tosa.cos"))
register("aten::erf", _unary("tosa.erf"))
register("aten::floor", _unary("tosa.floor"))
register("aten::ceil", _unary("tosa.ceil"))
register("aten::logical_not", _unary("tosa.logical_not"))


def _elementwise_pair(tosa: str):
    def handler(imp: Importer, node):
        a, b = inputs(imp, node)[:2]
        return imp.binary(tosa, a, b)
    return handler


register("aten::maximum", _elementwise_pair("tosa.maximum"))
register("aten::minimum", _elementwise_pair("tosa.minimum"))
register("aten::logical_and", _elementwise_pair("tosa.logical_and"))
register("aten::logical_or", _elementwise_pair("tosa.logical_or"))


@handles("aten::bitwise_and", "aten::bitwise_or")
def _bitwise(imp: Importer, node):
    """On bools (masks) the logical ops; on integers the bitwise ones."""
    a, b = inputs(imp, node)[:2]
    ref = a if isinstance(a, TensorVal) else b
    if not isinstance(ref, TensorVal):
        return _scalar_binary(imp, "and" if node.kind().endswith("and") else "or", a, b)
    op = "and" if node.kind().endswith("and") else "or"
    return imp.binary(f"tosa.logical_{op}" if ref.elt == "i1" else f"tosa.bitwise_{op}", a, b)


@handles("aten::where")
def _where(imp: Importer, node):
    cond, a, b = inputs(imp, node)
    ref = a if isinstance(a, TensorVal) else b if isinstance(b, TensorVal) else None
    c = imp.tensor(cond)
    if ref is None:  # two scalars: shaped like the condition
        elt = "f32" if "f64" in (getattr(a, "kind", ""), getattr(b, "kind", "")) else "i64"
        ref = TensorVal(c.name, c.shape, elt)
    x = imp.cast_elt(imp.tensor(a, ref), ref.elt)
    y = imp.cast_elt(imp.tensor(b, ref), ref.elt)
    rank = max(c.rank, x.rank, y.rank)
    return _select(imp, *(imp.expand_rank(t, rank) for t in (c, x, y)))


@handles("aten::clamp", "aten::hardtanh")
def _clamp(imp: Importer, node):
    """clamp(x, min, max) with scalar bounds (None: unbounded)."""
    x, lo, hi = inputs(imp, node)[:3]
    x = imp.tensor(x)
    if not isinstance(lo, NoneVal):
        x = imp.binary("tosa.maximum", x, lo)
    if not isinstance(hi, NoneVal):
        x = imp.binary("tosa.minimum", x, hi)
    return x


@handles("aten::clamp_min")
def _clamp_min(imp: Importer, node):
    x, lo = inputs(imp, node)
    return imp.binary("tosa.maximum", imp.tensor(x), lo)


@handles("aten::_to_copy")
def _to_copy(imp: Importer, node):
    """A dtype conversion (device and layout are the host's)."""
    x, dtype = inputs(imp, node)[:2]
    x = imp.tensor(x)
    if isinstance(dtype, NoneVal):
        return x
    from dyn.frontend.ops.creation import _dtype_name

    elt = _dtype_name(imp.const_int(dtype))
    if elt is None:
        raise imp.fail(f"conversion to dtype {imp.const_int(dtype)}")
    if x.elt.startswith(("f", "bf")) and elt.startswith("i") and elt != "i1":
        x = _trunc(imp, x)  # PyTorch truncates toward zero; tosa.cast rounds to nearest
    return imp.cast_elt(x, elt)


# -- unary math written with the ops above ---------------------------------------
def _composed(build: Callable):
    return lambda imp, node: build(imp, imp.tensor(imp.get(node.inputsAt(0))))


_LN2, _LN10 = 0.6931471805599453, 2.302585092994046
register("aten::log1p", _composed(lambda imp, x: imp.unary(
    "tosa.log", imp.binary("tosa.add", x, ScalarVal("f64", None, 1.0)))))
register("aten::log2", _composed(lambda imp, x: imp.binary(
    "tosa.mul", imp.unary("tosa.log", x), ScalarVal("f64", None, 1 / _LN2))))
register("aten::log10", _composed(lambda imp, x: imp.binary(
    "tosa.mul", imp.unary("tosa.log", x), ScalarVal("f64", None, 1 / _LN10))))
register("aten::expm1", _composed(lambda imp, x: imp.binary(
    "tosa.sub", imp.unary("tosa.exp", x), ScalarVal("f64", None, 1.0))))
register("aten::tan", _composed(lambda imp, x: imp.binary(
    "tosa.mul", imp.unary("tosa.sin", x), imp.unary("tosa.reciprocal", imp.unary("tosa.cos", x)))))
register("aten::bitwise_not", _composed(lambda imp, x: imp.unary(
    "tosa.logical_not" if x.elt == "i1" else "tosa.bitwise_not", x)))
register("aten::logical_xor", _elementwise_pair("tosa.logical_xor"))
register("aten::isnan", _composed(lambda imp, x: imp.compare("tosa.equal", x, x, negate=True)))


def _select(imp: Importer, c: TensorVal, a: TensorVal, b: TensorVal) -> TensorVal:
    """tosa.select of operands of one rank (broadcasting)."""
    shape = broadcast_shapes(broadcast_shapes(c.shape, a.shape), b.shape)
    out = tensor_type(shape, a.elt)
    return TensorVal(imp.e.op(f"tosa.select {c.name}, {a.name}, {b.name} : "
                              f"({c.type}, {a.type}, {b.type}) -> {out}"), shape, a.elt)


def _trunc(imp: Importer, x: TensorVal) -> TensorVal:
    negative = imp.compare("tosa.greater", ScalarVal("f64", None, 0.0), x)
    return _select(imp, negative, imp.unary("tosa.ceil", x), imp.unary("tosa.floor", x))


register("aten::trunc", _composed(_trunc))


@handles("aten::sign")
def _sign(imp: Importer, node):
    x = imp.tensor(imp.get(node.inputsAt(0)))
    pos = imp.cast_elt(imp.compare("tosa.greater", x, ScalarVal("f64", None, 0.0)), x.elt)
    neg = imp.cast_elt(imp.compare("tosa.greater", ScalarVal("f64", None, 0.0), x), x.elt)
    return imp.binary("tosa.sub", pos, neg)


@handles("aten::leaky_relu")
def _leaky_relu(imp: Importer, node):
    x, slope = inputs(imp, node)[:2]
    x = imp.tensor(x)
    positive = imp.compare("tosa.greater", x, ScalarVal("f64", None, 0.0))
    return _select(imp, positive, x, imp.binary("tosa.mul", x, slope))


@handles("aten::elu")
def _elu(imp: Importer, node):
    """elu(x, alpha, scale, input_scale): x > 0 ? scale x : scale alpha (e^(x is) - 1)."""
    x, alpha, scale, input_scale = inputs(imp, node)[:4]
    x = imp.tensor(x)
    positive = imp.compare("tosa.greater", x, ScalarVal("f64", None, 0.0))
    neg = imp.binary("tosa.sub", imp.unary("tosa.exp", imp.binary("tosa.mul", x, input_scale)),
                     ScalarVal("f64", None, 1.0))
    neg = imp.binary("tosa.mul", neg, alpha)
    return imp.binary("tosa.mul", _select(imp, positive, x, neg), scale)
