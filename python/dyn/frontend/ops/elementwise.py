"""Elementwise ops: arithmetic (tensor or scalar operands, broadcasting),
unary math, comparisons and logic, powers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

from dyn.frontend.ops.scalar import _scalar_binary
from dyn.frontend.registry import handles, inputs, register
from dyn.frontend.values import ListVal, NoneVal, ScalarVal, TensorVal, broadcast_shapes, tensor_type

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer

def _binary(kind: str, tosa: str):
    def handler(imp: Importer, node):
        args = inputs(imp, node)
        a, b = args[0], args[1]
        if kind == "add" and isinstance(a, ListVal) and isinstance(b, ListVal):
            return ListVal(a.items + b.items)  # list concatenation
        if kind == "mul" and isinstance(a, ListVal) != isinstance(b, ListVal):
            # list repetition, `[t] * n` (either order), n known at import
            items, count = (a.items, b) if isinstance(a, ListVal) else (b.items, a)
            if not isinstance(count, ScalarVal) or count.const is None:
                raise imp.fail("a list repeated a number of times known only at run time")
            return ListVal(items * max(0, int(count.const)))
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


# Python's math module on numbers (TorchScript's `math.sqrt(d)`): at import
# when the number is known, else the math dialect's op on f64.
_ON_NUMBERS = {"tosa.abs": (abs, "math.absf"), "tosa.tanh": (math.tanh, "math.tanh"), "tosa.exp": (math.exp, "math.exp"),
               "tosa.log": (math.log, "math.log"), "tosa.sin": (math.sin, "math.sin"),
               "tosa.cos": (math.cos, "math.cos"), "sqrt": (math.sqrt, "math.sqrt"),
               "tosa.floor": (math.floor, "math.floor"), "tosa.ceil": (math.ceil, "math.ceil")}


def _on_number(imp: Importer, op: str, v: ScalarVal) -> ScalarVal:
    if op not in _ON_NUMBERS:
        raise imp.fail("this function of a number")
    fn, math_op = _ON_NUMBERS[op]
    integral = op in ("tosa.floor", "tosa.ceil")
    if v.const is not None:
        return ScalarVal("i64" if integral else "f64", None, fn(float(v.const)))
    x = imp.scalar(v, "f64")
    y = imp.e.op(f"{math_op} {x.name} : f64")
    return ScalarVal("i64", imp.convert_scalar(y, "f64", "i64")) if integral else \
        ScalarVal("f64", y)


def _unary(op: str, attrs: str = ""):
    def handler(imp: Importer, node):
        v = imp.get(node.inputsAt(0))
        if isinstance(v, ScalarVal):
            return _on_number(imp, op, v)
        t = imp.tensor(v)
        if op in _FLOAT_ONLY and not t.elt.startswith(("f", "bf")):
            t = imp.cast_elt(t, "f32")  # PyTorch promotes integers to float
        return imp.unary(op, t, attrs)
    return handler


_FLOAT_ONLY = {"tosa.sigmoid", "tosa.tanh", "tosa.exp", "tosa.log", "tosa.sin", "tosa.cos",
               "tosa.erf", "tosa.rsqrt", "tosa.reciprocal"}


@handles("aten::sqrt")
def _sqrt(imp: Importer, node):
    v = imp.get(node.inputsAt(0))
    if isinstance(v, ScalarVal):
        return _on_number(imp, "sqrt", v)
    t = imp.tensor(v)
    t = t if t.elt.startswith(("f", "bf")) else imp.cast_elt(t, "f32")
    return imp.unary("tosa.reciprocal", imp.unary("tosa.rsqrt", t))


register("aten::sigmoid", _unary("tosa.sigmoid"))
register("aten::sigmoid_", _unary("tosa.sigmoid"))
register("aten::tanh", _unary("tosa.tanh"))
register("aten::tanh_", _unary("tosa.tanh"))
register("aten::exp", _unary("tosa.exp"))
register("aten::log", _unary("tosa.log"))
register("aten::abs", _unary("tosa.abs"))


def _cmp(tosa: str, swap: bool, negate: bool, pyop: Callable, arith_i: str, arith_f: str):
    def handler(imp: Importer, node):
        a, b = inputs(imp, node)
        if isinstance(a, ListVal) and isinstance(b, ListVal) and arith_i in ("eq", "ne"):
            return _lists_equal(imp, a, b, arith_i == "ne")
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


def _lists_equal(imp: Importer, a: ListVal, b: ListVal, negate: bool) -> ScalarVal:
    """`x.shape == y.shape`: element by element, at import where the
    elements are known, else at run time."""
    if len(a.items) != len(b.items):
        return ScalarVal("i1", None, negate)
    result = ScalarVal("i1", None, True)
    for x, y in zip(a.items, b.items):
        if not (isinstance(x, ScalarVal) and isinstance(y, ScalarVal)):
            raise imp.fail("comparing lists of values that are not numbers")
        if x.const is not None and y.const is not None:
            if x.const != y.const:
                return ScalarVal("i1", None, negate)
            continue
        k = "f64" if "f64" in (x.kind, y.kind) else "i64"
        xs, ys = imp.scalar(x, k), imp.scalar(y, k)
        same = imp.e.op(f"arith.cmp{'f oeq' if k == 'f64' else 'i eq'}, {xs.name}, {ys.name} : {k}")
        result = ScalarVal("i1", same if result.const else
                           imp.e.op(f"arith.andi {imp.scalar(result).name}, {same} : i1"))
    if negate:
        if result.const is not None:
            return ScalarVal("i1", None, not result.const)
        true = imp.e.constant("1", "i1")
        return ScalarVal("i1", imp.e.op(f"arith.xori {result.name}, {true} : i1"))
    return result


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


@handles("aten::clamp", "aten::hardtanh", "aten::clamp_", "aten::hardtanh_")
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


@handles("aten::leaky_relu", "aten::leaky_relu_")
def _leaky_relu(imp: Importer, node):
    x, slope = inputs(imp, node)[:2]
    x = imp.tensor(x)
    positive = imp.compare("tosa.greater", x, ScalarVal("f64", None, 0.0))
    return _select(imp, positive, x, imp.binary("tosa.mul", x, slope))


@handles("aten::elu", "aten::elu_")
def _elu(imp: Importer, node):
    """elu(x, alpha, scale, input_scale): x > 0 ? scale x : scale alpha (e^(x is) - 1)."""
    x, alpha, scale, input_scale = inputs(imp, node)[:4]
    x = imp.tensor(x)
    positive = imp.compare("tosa.greater", x, ScalarVal("f64", None, 0.0))
    neg = imp.binary("tosa.sub", imp.unary("tosa.exp", imp.binary("tosa.mul", x, input_scale)),
                     ScalarVal("f64", None, 1.0))
    neg = imp.binary("tosa.mul", neg, alpha)
    return imp.binary("tosa.mul", _select(imp, positive, x, neg), scale)


# -- math TOSA has no op for: one linalg.generic of math / arith ops ---------------
def _float_elt(elt: str) -> str:
    """The element type a float function returns for inputs of `elt`
    (integers and bools promote to f32, as in PyTorch)."""
    return elt if elt in ("f16", "bf16", "f32", "f64") else "f32"


def _in_float(imp: Importer, name: str, elt: str, out: str) -> tuple[str, str]:
    """`name` (of `elt`) converted for computing a result of `out`: f32 for
    f16 / bf16 (libm has no half functions), else `out`."""
    work = "f32" if out in ("f16", "bf16") else out
    return imp.convert_scalar(name, elt, work), work


def _map(imp: Importer, operands: list, out_elt: str, fn: Callable) -> TensorVal:
    """out[i] = fn(a[i], b[i], ...) over operands broadcast to one shape,
    `fn(names, elts)` emitting the scalar code."""
    ref = next(t for t in operands if isinstance(t, TensorVal))
    ts = [imp.tensor(t, ref) for t in operands]
    rank = max(t.rank for t in ts)
    ts = [imp.expand_rank(t, rank) for t in ts]
    shape = list(ts[0].shape)
    for t in ts[1:]:
        shape = broadcast_shapes(shape, t.shape)
    sizes = []
    for d, s in enumerate(shape):
        if s is None:
            owner = next(t for t in ts if t.shape[d] is None)
            sizes.append(imp.dim_value(owner, d))
    return imp.generic([(t, imp.broadcast_exprs(t, shape)) for t in ts], shape, out_elt,
                       lambda args, acc: fn(args, [t.elt for t in ts]), sizes=sizes)


def _float_fn(op: str):
    """A float function of one argument: math.<op> (libm where LLVM has no
    intrinsic)."""
    def handler(imp: Importer, node):
        x = imp.tensor(imp.get(node.inputsAt(0)))
        out = _float_elt(x.elt)

        def body(args, elts):
            v, work = _in_float(imp, args[0], elts[0], out)
            return imp.convert_scalar(imp.e.op(f"math.{op} {v} : {work}"), work, out)
        return _map(imp, [x], out, body)
    return handler


for _k, _op in (("acos", "acos"), ("acosh", "acosh"), ("asin", "asin"), ("asinh", "asinh"),
                ("atan", "atan"), ("atanh", "atanh"), ("cosh", "cosh"), ("sinh", "sinh")):
    register(f"aten::{_k}", _float_fn(_op))


@handles("aten::round")
def _round(imp: Importer, node):
    """round: half to even, as PyTorch (math.roundeven); integers unchanged."""
    x = imp.tensor(imp.get(node.inputsAt(0)))
    if not x.elt.startswith(("f", "bf")):
        return x
    return _float_fn("roundeven")(imp, node)


@handles("aten::isinf")
def _isinf(imp: Importer, node):
    x = imp.tensor(imp.get(node.inputsAt(0)))
    if not x.elt.startswith(("f", "bf")):
        return imp.compare("tosa.equal", x, x, negate=True)  # all false
    bits = {"f16": "0x7C00", "bf16": "0x7F80", "f32": "0x7F800000", "f64": "0x7FF0000000000000"}
    inf = imp.e.constant(bits[x.elt], x.elt)

    def body(args, elts):
        magnitude = imp.e.op(f"math.absf {args[0]} : {x.elt}")
        return imp.e.op(f"arith.cmpf oeq, {magnitude}, {inf} : {x.elt}")
    return _map(imp, [x], "i1", body)


def _promoted(a, b) -> str:
    """The element type of a binary op's result (PyTorch's promotion, for
    the types the importer has: a tensor's float type wins, a Python float
    makes integer tensors f32)."""
    elts = [t.elt for t in (a, b) if isinstance(t, TensorVal)]
    floats = [e for e in elts if e.startswith(("f", "bf"))]
    if floats:
        return max(floats, key=lambda e: {"f16": 0, "bf16": 0, "f32": 1, "f64": 2}[e])
    if any(isinstance(s, ScalarVal) and s.kind == "f64" for s in (a, b)):
        return "f32"
    return max(elts, key=lambda e: 0 if e == "i1" else int(e[1:]))


@handles("aten::atan2")
def _atan2(imp: Importer, node):
    a, b = inputs(imp, node)[:2]
    out = _float_elt(_promoted(a, b))

    def body(args, elts):
        (y, work), (x, _) = (_in_float(imp, n, e, out) for n, e in zip(args, elts))
        return imp.convert_scalar(imp.e.op(f"math.atan2 {y}, {x} : {work}"), work, out)
    return _map(imp, [a, b], out, body)


@handles("aten::fmod")
def _fmod(imp: Importer, node):
    """fmod: the remainder truncated toward zero (C's fmod; arith.remf /
    remsi). An integer divisor of 0 gives 0 (PyTorch raises; dividing would
    trap)."""
    a, b = inputs(imp, node)[:2]
    if isinstance(a, ScalarVal) and isinstance(b, ScalarVal):
        raise imp.fail("fmod of two numbers")
    out = _promoted(a, b)

    def body(args, elts):
        x, y = (imp.convert_scalar(n, e, out) for n, e in zip(args, elts))
        if out.startswith(("f", "bf")):
            return imp.e.op(f"arith.remf {x}, {y} : {out}")
        zero, one = imp.e.constant("0", out), imp.e.constant("1", out)
        is_zero = imp.e.op(f"arith.cmpi eq, {y}, {zero} : {out}")
        safe = imp.e.op(f"arith.select {is_zero}, {one}, {y} : {out}")
        rem = imp.e.op(f"arith.remsi {x}, {safe} : {out}")
        return imp.e.op(f"arith.select {is_zero}, {zero}, {rem} : {out}")
    return _map(imp, [a, b], out, body)


@handles("aten::bitwise_xor")
def _bitwise_xor(imp: Importer, node):
    a, b = inputs(imp, node)[:2]
    ref = a if isinstance(a, TensorVal) else b
    if not isinstance(ref, TensorVal):
        raise imp.fail("bitwise_xor of two numbers")
    return imp.binary("tosa.logical_xor" if ref.elt == "i1" else "tosa.bitwise_xor", a, b)


@handles("prim::dtype")
def _dtype_of(imp: Importer, node):
    """x.dtype: TorchScript's dtype constant (a c10::ScalarType)."""
    from dyn.dtypes import BY_NAME

    x = imp.tensor(imp.get(node.input()))
    return ScalarVal("i64", None, BY_NAME[x.elt].scalar_type)


@handles("prim::device")
def _device_of(imp: Importer, node):
    """x.device: the compiled code's own (devices are the target's)."""
    return NoneVal()


@handles("aten::to", "aten::type_as")
def _to(imp: Importer, node):
    """x.to(dtype / device / other tensor, ...) and x.type_as(other): a dtype
    conversion where one is asked for (devices are the target's)."""
    from dyn.frontend.ops.creation import _dtype_name

    x, *rest = inputs(imp, node)
    x = imp.tensor(x)
    if rest and isinstance(rest[0], TensorVal):  # to(other) / type_as(other)
        return imp.cast_elt(x, rest[0].elt)
    # to(dtype, ...), to(device, dtype, ...): the first dtype given
    for v in rest[:2]:
        if isinstance(v, ScalarVal) and v.kind == "i64" and v.const is not None:
            elt = _dtype_name(int(v.const))
            if elt is None:
                raise imp.fail(f"conversion to dtype {v.const}")
            if x.elt.startswith(("f", "bf")) and elt.startswith("i") and elt != "i1":
                x = _trunc(imp, x)
            return imp.cast_elt(x, elt)
    return x
