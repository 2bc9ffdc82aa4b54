"""The scalar program around the tensors: int/float/bool arithmetic,
tensor-to-scalar conversions, membership tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dyn.frontend.registry import handles, inputs, register
from dyn.frontend.values import ScalarVal, TensorVal

if TYPE_CHECKING:
    from dyn.frontend.torchscript import Importer

def _scalar_binary(imp: Importer, kind: str, a: ScalarVal, b: ScalarVal):
    float_ = a.kind == "f64" or b.kind == "f64"
    k = "f64" if float_ else ("i1" if a.kind == b.kind == "i1" and kind in ("and", "or") else "i64")
    if a.const is not None and b.const is not None:
        x, y = a.const, b.const
        value = {"add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y,
                 "div": lambda: x / y, "floordiv": lambda: x // y,
                 "and": lambda: x and y, "or": lambda: x or y,
                 "remainder": lambda: x % y, "max": lambda: max(x, y),
                 "min": lambda: min(x, y)}[kind]()
        return ScalarVal("f64" if kind == "div" else k, None, value)
    if kind == "div":
        k = "f64"
    x, y = imp.scalar(a, k), imp.scalar(b, k)
    ops_f = {"add": "arith.addf", "sub": "arith.subf", "mul": "arith.mulf", "div": "arith.divf",
             "max": "arith.maximumf", "min": "arith.minimumf"}
    ops_i = {"add": "arith.addi", "sub": "arith.subi", "mul": "arith.muli",
             "floordiv": "arith.floordivsi", "and": "arith.andi", "or": "arith.ori",
             "remainder": "arith.remsi", "max": "arith.maxsi", "min": "arith.minsi"}
    op = (ops_f if k.startswith("f") else ops_i)[kind]
    return ScalarVal(k, imp.e.op(f"{op} {x.name}, {y.name} : {k}"))


register("aten::floordiv", lambda imp, node: _scalar_binary(imp, "floordiv", *inputs(imp, node)))
register("aten::__and__", lambda imp, node: _scalar_binary(imp, "and", *inputs(imp, node)))
register("aten::__or__", lambda imp, node: _scalar_binary(imp, "or", *inputs(imp, node)))
register("aten::remainder", lambda imp, node: _scalar_binary(imp, "remainder", *inputs(imp, node)))


def _extremum(kind: str):
    def handler(imp: Importer, node):
        args = inputs(imp, node)
        if len(args) != 2 or not all(isinstance(a, ScalarVal) for a in args):
            raise imp.fail(f"{kind}() of anything but two numbers")
        return _scalar_binary(imp, kind, *args)
    return handler


# max(a, b) / min(a, b) of two numbers (TorchScript's prim::max, torch.export's
# sym_max of sizes).
register("prim::max", _extremum("max"))
register("prim::min", _extremum("min"))


@handles("aten::Bool")
def _bool(imp: Importer, node):
    a = imp.get(node.input())
    if isinstance(a, TensorVal):
        # Keep it a 0-d tensor<i1>: dyn.cond takes it as is, and the scalar
        # is extracted only where arithmetic needs it.
        a = imp.one_element(a, "RuntimeError: Boolean value of Tensor with more than one "
                               "value is ambiguous")
        t = a if a.elt == "i1" else imp.compare("tosa.equal", a, ScalarVal("f64", None, 0), negate=True)
        return imp.reshape(t, [])
    return imp.scalar(a, "i1")


@handles("aten::Int", "aten::item", "aten::Float", "aten::ScalarImplicit")
def _to_scalar(imp: Importer, node):
    a = imp.get(node.input())
    out_kind = {"int": "i64", "float": "f64", "bool": "i1"}.get(node.output().type().str())
    return imp.scalar(a, out_kind)


@handles("aten::__contains__")
def _contains(imp: Importer, node):
    seq, item = inputs(imp, node)
    values = imp.const_list(seq)
    return ScalarVal("i1", None, imp.const_int(item) in values)


@handles("aten::__range_length")
def _range_length(imp: Importer, node):
    """len(range(lo, hi, step)) (TorchScript's `for i in range(lo, hi)`)."""
    lo, hi, step = inputs(imp, node)
    if all(v.const is not None for v in (lo, hi, step)):
        return ScalarVal("i64", None, len(range(int(lo.const), int(hi.const), int(step.const))))
    if step.const is None or int(step.const) <= 0:
        raise imp.fail("range() with a step known only at run time, or not positive")
    span = _scalar_binary(imp, "sub", hi, lo)
    step_less = _scalar_binary(imp, "sub", step, ScalarVal("i64", None, 1))
    count = _scalar_binary(imp, "floordiv", _scalar_binary(imp, "add", span, step_less), step)
    return _scalar_binary(imp, "max", count, ScalarVal("i64", None, 0))


@handles("aten::__derive_index")
def _derive_index(imp: Importer, node):
    """The value of a range at iteration `index`: start + index * step."""
    index, start, step = inputs(imp, node)
    return _scalar_binary(imp, "add", start, _scalar_binary(imp, "mul", index, step))


@handles("aten::is_autocast_enabled", "aten::is_autocast_cpu_enabled", "aten::is_grad_enabled",
         "aten::is_scripting")
def _mode_flag(imp: Importer, node):
    """Framework modes the compiled code has none of: no autocast, no
    autograd (PyTorch's fast paths test them)."""
    return ScalarVal("i1", None, node.kind() == "aten::is_scripting")


@handles("prim::is_cuda", "prim::is_sparse", "prim::is_quantized", "prim::is_mkldnn",
         "prim::is_meta", "prim::is_nested", "prim::is_xpu", "prim::requires_grad")
def _tensor_flag(imp: Importer, node):
    """Properties of a tensor the compiled code holds: dense, on the
    target's own memory, without autograd."""
    return ScalarVal("i1", None, False)


@handles("aten::str")
def _str(imp: Importer, node):
    """str(v) of a value known at import; of others a placeholder (the
    text of diagnostics PyTorch builds, e.g. MultiheadAttention's reasons
    for its slow path)."""
    v = imp.get(node.input())
    if isinstance(v, ScalarVal) and v.const is not None:
        return ScalarVal("str", None, str(v.const))
    return ScalarVal("str", None, f"<{type(v).__name__}>")


@handles("aten::find")
def _find(imp: Importer, node):
    """str.find(sub, start, end) of strings known at import."""
    args = inputs(imp, node)
    if not all(isinstance(a, ScalarVal) and a.const is not None for a in args):
        raise imp.fail("str.find of a string known only at run time")
    text, sub, *bounds = [a.const for a in args]
    return ScalarVal("i64", None, text.find(sub, *bounds))
