"""Import a TorchScript graph into the dyn dialect.

The module is scripted (`torch.jit.script`) and frozen (`torch.jit.freeze`),
so parameters are constants and submodule calls are inlined. The graph's
control flow maps onto dyn ops:

* `prim::If` -> `dyn.cond` (the predicate may stay a 0-d `tensor<i1>`),
* `prim::Loop` -> `dyn.while` carrying (iteration, condition, values...),
  with `max_iterations` when the trip count is a constant,

and aten ops onto tosa / linalg / tensor / arith. Tensor types are inferred
while importing: dims that the example inputs do not fix (by default dim 0,
the batch) are `?`. An op or construct the importer does not handle raises
`UnsupportedError` naming it and its source line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np
import torch

Shape = list  # list[Optional[int]]; None = dynamic


class UnsupportedError(NotImplementedError):
    """The importer met an op or construct it cannot translate."""


# ----------------------------------------------------------------------------
# Values
# ----------------------------------------------------------------------------

_ELT = {torch.float32: "f32", torch.float64: "f64", torch.float16: "f16",
        torch.int64: "i64", torch.int32: "i32", torch.bool: "i1",
        torch.int8: "i8", torch.uint8: "i8"}


_TORCH_DTYPE = {"f32": torch.float32, "f64": torch.float64, "f16": torch.float16,
                "i64": torch.int64, "i32": torch.int32, "i1": torch.bool, "i8": torch.int8}


@dataclass
class TensorVal:
    """An SSA value of ranked tensor type (`const` holds the data of
    constants, for folding at import time)."""
    name: str
    shape: Shape
    elt: str
    const: Optional[np.ndarray] = None

    @property
    def type(self) -> str:
        return tensor_type(self.shape, self.elt)

    @property
    def rank(self) -> int:
        return len(self.shape)


@dataclass
class ScalarVal:
    """An SSA scalar (i64 for Python ints, f64 for floats, i1 for bools),
    or a Python constant not yet materialized (name is None)."""
    kind: str
    name: Optional[str] = None
    const: Any = None

    @property
    def type(self) -> str:
        return self.kind


@dataclass
class ListVal:
    items: list


@dataclass
class TupleVal:
    items: list


class NoneVal:
    pass


def tensor_type(shape: Shape, elt: str) -> str:
    dims = "".join(("?" if d is None else str(d)) + "x" for d in shape)
    return f"tensor<{dims}{elt}>"


def join_shapes(a: Shape, b: Shape) -> Shape:
    if len(a) != len(b):
        raise UnsupportedError(f"branches produce tensors of ranks {len(a)} and {len(b)}")
    return [x if x == y else None for x, y in zip(a, b)]


def broadcast_shapes(a: Shape, b: Shape) -> Shape:
    rank = max(len(a), len(b))
    a = [1] * (rank - len(a)) + list(a)
    b = [1] * (rank - len(b)) + list(b)
    out = []
    for x, y in zip(a, b):
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        else:
            raise UnsupportedError(f"shapes {a} and {b} do not broadcast")
    return out


def float_literal(value: float) -> str:
    if math.isinf(value):
        return "0x7F800000" if value > 0 else "0xFF800000"
    return f"{float(value):.17e}"  # MLIR needs a digit before the exponent


# ----------------------------------------------------------------------------
# Emitter
# ----------------------------------------------------------------------------

class Emitter:
    """Writes MLIR text into nested line buffers (one per region)."""

    def __init__(self) -> None:
        self.counter = 0
        self.lines: list[str] = []
        self.indent = 1
        self.constants: list[str] = []
        self.constant_cache: dict[Any, str] = {}

    def fresh(self, hint: str = "v") -> str:
        self.counter += 1
        return f"%{hint}{self.counter}"

    def emit(self, text: str) -> None:
        self.lines.append("  " * self.indent + text)

    def op(self, text: str, hint: str = "v") -> str:
        name = self.fresh(hint)
        self.emit(f"{name} = {text}")
        return name

    # Constants are hoisted to the function entry (they dominate everything).
    def constant(self, attr: str, type_: str, hint: str = "c") -> str:
        key = (attr, type_)
        if key not in self.constant_cache:
            name = self.fresh(hint)
            self.constants.append(f"    {name} = arith.constant {attr} : {type_}")
            self.constant_cache[key] = name
        return self.constant_cache[key]

    def tosa_const(self, attr: str, type_: str) -> str:
        key = ("tosa", attr, type_)
        if key not in self.constant_cache:
            name = self.fresh("k")
            self.constants.append(
                f'    {name} = "tosa.const"() <{{values = {attr} : {type_}}}> : () -> {type_}')
            self.constant_cache[key] = name
        return self.constant_cache[key]

    def shape_const(self, dims: Sequence[int]) -> str:
        key = ("shape", tuple(dims))
        if key not in self.constant_cache:
            name = self.fresh("s")
            values = ", ".join(str(d) for d in dims)
            self.constants.append(
                f"    {name} = tosa.const_shape {{values = dense<[{values}]> : "
                f"tensor<{len(dims)}xindex>}} : () -> !tosa.shape<{len(dims)}>")
            self.constant_cache[key] = name
        return self.constant_cache[key]


def dense_attr(array: np.ndarray, elt: str) -> str:
    """The untyped `dense<...>` literal of `array` (hex for non-splats)."""
    if array.size and np.all(array == array.flat[0]):
        v = array.flat[0]
        if elt == "i1":
            lit = "true" if v else "false"
        elif elt.startswith("f"):
            lit = float_literal(float(v))
        else:
            lit = str(int(v))
        return f"dense<{lit}>"
    np_dtype = {"f32": "<f4", "f64": "<f8", "f16": "<f2", "i64": "<i8", "i32": "<i4",
                "i8": "<i1", "i1": "<i1"}[elt]
    data = np.ascontiguousarray(array).astype(np_dtype).tobytes().hex().upper()
    return f'dense<"0x{data}">'


# ----------------------------------------------------------------------------
# Importer
# ----------------------------------------------------------------------------

def _location(node: torch._C.Node) -> str:
    text = str(node)
    match = re.search(r"# (\S+:\d+:\d+)\s*$", text.strip().splitlines()[0])
    return match.group(1) if match else "<unknown>"


class Importer:
    def __init__(self, graph: torch._C.Graph, inputs: list[TensorVal | ScalarVal]):
        self.graph = graph
        self.e = Emitter()
        self.values: dict[torch._C.Value, Any] = {}
        self.inputs = inputs
        self.node: Optional[torch._C.Node] = None

    # -- errors ---------------------------------------------------------------
    def fail(self, message: str) -> UnsupportedError:
        where = _location(self.node) if self.node is not None else "<graph>"
        kind = self.node.kind() if self.node is not None else ""
        return UnsupportedError(f"{where}: {kind}: {message}")

    # -- driver ---------------------------------------------------------------
    def run(self, name: str = "forward") -> str:
        graph_inputs = list(self.graph.inputs())
        params = graph_inputs[1:]  # the first is `self`
        if len(params) != len(self.inputs):
            raise UnsupportedError(f"forward takes {len(params)} inputs, "
                                   f"{len(self.inputs)} example inputs given")
        args = []
        for i, (value, val) in enumerate(zip(params, self.inputs)):
            val.name = f"%arg{i}"
            self.values[value] = val
            args.append(f"%arg{i}: {val.type}")
        self.import_block_nodes(self.graph.nodes())
        results = [self.get(v) for v in self.graph.outputs()]
        flat = self.flatten(results)
        flat = [self.materialize(v) for v in flat]
        self.e.emit("return " + ", ".join(v.name for v in flat) + " : " +
                    ", ".join(v.type for v in flat))
        self.result_kinds = [v.type for v in flat]
        body = "\n".join(self.e.constants + self.e.lines)
        return (f"func.func @{name}({', '.join(args)}) -> "
                f"({', '.join(v.type for v in flat)}) {{\n{body}\n}}\n")

    def flatten(self, vals: list) -> list:
        out = []
        for v in vals:
            if isinstance(v, (TupleVal, ListVal)):
                out.extend(self.flatten(v.items))
            else:
                out.append(v)
        return out

    def get(self, value: torch._C.Value) -> Any:
        if value not in self.values:
            raise self.fail(f"value %{value.debugName()} is not available")
        return self.values[value]

    def import_block_nodes(self, nodes) -> None:
        for node in nodes:
            self.node = node
            kind = node.kind()
            handler = HANDLERS.get(kind)
            if handler is None:
                raise self.fail("unsupported operation")
            outs = handler(self, node)
            if outs is None:
                outs = []
            if not isinstance(outs, (list, tuple)):
                outs = [outs]
            for value, val in zip(node.outputs(), outs):
                self.values[value] = val

    # -- scalars ----------------------------------------------------------------
    def materialize(self, v: Any) -> Any:
        """Gives a scalar constant an SSA name."""
        if isinstance(v, ScalarVal) and v.name is None:
            if v.kind == "i1":
                v.name = self.e.constant("1" if v.const else "0", "i1")
            elif v.kind == "f64":
                v.name = self.e.constant(float_literal(v.const), "f64")
            else:
                v.name = self.e.constant(str(int(v.const)), v.kind)
        return v

    def scalar(self, v: Any, kind: Optional[str] = None) -> ScalarVal:
        """Any scalar-like value (scalar, 0-d / 1-element tensor) as an SSA
        scalar of `kind` (default: its own)."""
        if isinstance(v, TensorVal):
            if any(d not in (1,) for d in v.shape):
                raise self.fail(f"expected a one-element tensor, got {v.type}")
            zeros = ", ".join([self.index(0)] * v.rank)
            name = self.e.op(f"tensor.extract {v.name}[{zeros}] : {v.type}")
            kinds = {"f32": "f64", "f64": "f64", "f16": "f64", "i1": "i1"}
            v = ScalarVal(v.elt, name)
            if kind is None:
                kind = kinds.get(v.kind, "i64")
        if not isinstance(v, ScalarVal):
            raise self.fail(f"expected a scalar, got {type(v).__name__}")
        if kind is None or kind == v.kind:
            return self.materialize(v)
        if v.name is None:
            const = {"i1": bool, "f64": float}.get(kind, int)(v.const)
            return self.materialize(ScalarVal(kind, None, const))
        return ScalarVal(kind, self.convert_scalar(v.name, v.kind, kind))

    def convert_scalar(self, name: str, src: str, dst: str) -> str:
        if src == dst:
            return name
        is_f = lambda k: k.startswith("f")
        if is_f(src) and is_f(dst):
            op = "arith.extf" if int(dst[1:]) > int(src[1:]) else "arith.truncf"
            return self.e.op(f"{op} {name} : {src} to {dst}")
        if is_f(src):
            if dst == "i1":
                zero = self.e.constant("0.0", src)
                return self.e.op(f"arith.cmpf une, {name}, {zero} : {src}")
            return self.e.op(f"arith.fptosi {name} : {src} to {dst}")
        if is_f(dst):
            op = "arith.uitofp" if src == "i1" else "arith.sitofp"
            return self.e.op(f"{op} {name} : {src} to {dst}")
        if dst == "i1":
            zero = self.e.constant("0", src)
            return self.e.op(f"arith.cmpi ne, {name}, {zero} : {src}")
        if src == "i1":
            return self.e.op(f"arith.extui {name} : i1 to {dst}")
        op = "arith.extsi" if int(dst[1:]) > int(src[1:]) else "arith.trunci"
        return self.e.op(f"{op} {name} : {src} to {dst}")

    def index(self, value: int) -> str:
        return self.e.constant(str(value), "index")

    def const_int(self, v: Any) -> int:
        if isinstance(v, ScalarVal) and v.const is not None:
            return int(v.const)
        raise self.fail("expected a constant integer")

    def const_list(self, v: Any) -> list:
        if isinstance(v, ListVal):
            return [self.const_int(x) if isinstance(x, ScalarVal) else x for x in v.items]
        raise self.fail("expected a constant list")

    # -- tensors ------------------------------------------------------------------
    def tensor(self, v: Any, like: Optional[TensorVal] = None) -> TensorVal:
        """A tensor, or a scalar turned into a splat tensor shaped for `like`."""
        if isinstance(v, TensorVal):
            return v
        if isinstance(v, ScalarVal):
            elt = like.elt if like is not None else ("f32" if v.kind == "f64" else v.kind)
            rank = like.rank if like is not None else 0
            shape = [1] * rank
            if v.const is not None:
                value = np.full(shape, v.const)
                return TensorVal(self.e.tosa_const(dense_attr(value, elt), tensor_type(shape, elt)),
                                 shape, elt)
            s = self.scalar(v, "f32" if elt.startswith("f") and elt != "f64" else elt)
            if elt == "f32" and s.kind != "f32":
                s = ScalarVal("f32", self.convert_scalar(s.name, s.kind, "f32"))
            elements = self.e.op(f"tensor.from_elements {s.name} : {tensor_type([], elt)}")
            t = TensorVal(elements, [], elt)
            return self.reshape(t, shape) if rank else t
        raise self.fail(f"expected a tensor, got {type(v).__name__}")

    def cast_elt(self, t: TensorVal, elt: str) -> TensorVal:
        if t.elt == elt:
            return t
        shape = t.shape
        name = self.e.op(f"tosa.cast {t.name} : ({t.type}) -> {tensor_type(shape, elt)}")
        return TensorVal(name, shape, elt)

    def reshape(self, t: TensorVal, shape: Shape) -> TensorVal:
        if list(t.shape) == list(shape):
            return t
        if t.const is not None and None not in shape:
            return self.constant_tensor(torch.from_numpy(np.ascontiguousarray(
                t.const.reshape(shape))).to(_TORCH_DTYPE[t.elt]))
        if shape.count(None) > 1:
            raise self.fail(f"reshape of {t.type} to {shape} needs more than one dynamic dim")
        dims = [-1 if d is None else d for d in shape]
        s = self.e.shape_const(dims)
        out = tensor_type(shape, t.elt)
        name = self.e.op(f"tosa.reshape {t.name}, {s} : ({t.type}, !tosa.shape<{len(dims)}>) -> {out}")
        return TensorVal(name, list(shape), t.elt)

    def expand_rank(self, t: TensorVal, rank: int) -> TensorVal:
        if t.rank == rank:
            return t
        return self.reshape(t, [1] * (rank - t.rank) + list(t.shape))

    def extract_slice(self, t: TensorVal, offsets: Sequence, shape: Shape) -> TensorVal:
        """tensor.extract_slice of `t` at `offsets` (ints or index SSA names),
        unit strides, result `shape`; dynamic result dims span the whole
        (dynamic) extent of `t`."""
        sizes = [self.dim_value(t, i) if s is None else str(s) for i, s in enumerate(shape)]
        out = tensor_type(shape, t.elt)
        name = self.e.op(f"tensor.extract_slice {t.name}[{', '.join(map(str, offsets))}] "
                         f"[{', '.join(sizes)}] [{', '.join(['1'] * t.rank)}] : {t.type} to {out}")
        return TensorVal(name, list(shape), t.elt)

    def dim_value(self, t: TensorVal, d: int) -> str:
        """An index SSA value for dim d."""
        if t.shape[d] is not None:
            return self.index(t.shape[d])
        return self.e.op(f"tensor.dim {t.name}, {self.index(d)} : {t.type}")

    def empty(self, shape: Shape, elt: str, like: list[tuple[TensorVal, int]]) -> str:
        """tensor.empty with the dynamic dims taken from (tensor, dim) pairs."""
        dyn = [self.dim_value(src, d) for (src, d), ext in zip(like, shape) if ext is None]
        return self.e.op(f"tensor.empty({', '.join(dyn)}) : {tensor_type(shape, elt)}")

    def filled(self, shape: Shape, elt: str, like: list, value: float = 0.0) -> str:
        empty = self.empty(shape, elt, like)
        zero = self.e.constant(float_literal(value) if elt.startswith("f") else str(int(value)), elt)
        return self.e.op(f"linalg.fill ins({zero} : {elt}) outs({empty} : {tensor_type(shape, elt)}) "
                         f"-> {tensor_type(shape, elt)}")

    def binary(self, op: str, a: Any, b: Any, elt: Optional[str] = None) -> TensorVal:
        ta = a if isinstance(a, TensorVal) else None
        tb = b if isinstance(b, TensorVal) else None
        ref = ta or tb
        if ref is None:
            raise self.fail("binary op on two scalars reached the tensor path")
        x = self.tensor(a, ref)
        y = self.tensor(b, ref)
        elt = elt or ref.elt
        x, y = self.cast_elt(x, elt), self.cast_elt(y, elt)
        rank = max(x.rank, y.rank)
        x, y = self.expand_rank(x, rank), self.expand_rank(y, rank)
        shape = broadcast_shapes(x.shape, y.shape)
        out = tensor_type(shape, elt)
        if op == "tosa.mul":
            shift = self.e.tosa_const("dense<0>", "tensor<1xi8>")
            name = self.e.op(f"tosa.mul {x.name}, {y.name}, {shift} : ({x.type}, {y.type}, tensor<1xi8>) -> {out}")
        else:
            name = self.e.op(f"{op} {x.name}, {y.name} : ({x.type}, {y.type}) -> {out}")
        return TensorVal(name, shape, elt)

    def compare(self, op: str, a: Any, b: Any, swap: bool = False, negate: bool = False) -> TensorVal:
        ref = a if isinstance(a, TensorVal) else b
        x, y = self.tensor(a, ref), self.tensor(b, ref)
        elt = ref.elt
        x, y = self.cast_elt(x, elt), self.cast_elt(y, elt)
        if swap:
            x, y = y, x
        rank = max(x.rank, y.rank)
        x, y = self.expand_rank(x, rank), self.expand_rank(y, rank)
        shape = broadcast_shapes(x.shape, y.shape)
        out = tensor_type(shape, "i1")
        name = self.e.op(f"{op} {x.name}, {y.name} : ({x.type}, {y.type}) -> {out}")
        t = TensorVal(name, shape, "i1")
        if negate:
            t = self.unary("tosa.logical_not", t)
        return t

    def unary(self, op: str, t: TensorVal, attrs: str = "") -> TensorVal:
        name = self.e.op(f"{op} {t.name}{attrs} : ({t.type}) -> {t.type}")
        return TensorVal(name, list(t.shape), t.elt)

    def reduce(self, op: str, t: TensorVal, dims: list[int], keepdim: bool) -> TensorVal:
        dims = sorted(d % t.rank for d in dims) if t.rank else []
        shape = list(t.shape)
        for d in dims:
            shape[d] = 1
            out = tensor_type(shape, t.elt)
            name = self.e.op(f"{op} {t.name} {{axis = {d} : i32}} : ({t.type}) -> {out}")
            t = TensorVal(name, list(shape), t.elt)
        if not keepdim:
            t = self.reshape(t, [s for i, s in enumerate(shape) if i not in dims])
        return t

    def matmul2d(self, a: TensorVal, b: TensorVal) -> TensorVal:
        shape = [a.shape[0], b.shape[1]]
        init = self.filled(shape, a.elt, [(a, 0), (b, 1)])
        out = tensor_type(shape, a.elt)
        name = self.e.op(f"linalg.matmul ins({a.name}, {b.name} : {a.type}, {b.type}) "
                         f"outs({init} : {out}) -> {out}")
        return TensorVal(name, shape, a.elt)

    def batch_matmul(self, a: TensorVal, b: TensorVal) -> TensorVal:
        shape = [a.shape[0] if a.shape[0] is not None else b.shape[0], a.shape[1], b.shape[2]]
        init = self.filled(shape, a.elt, [(a, 0), (a, 1), (b, 2)])
        out = tensor_type(shape, a.elt)
        name = self.e.op(f"linalg.batch_matmul ins({a.name}, {b.name} : {a.type}, {b.type}) "
                         f"outs({init} : {out}) -> {out}")
        return TensorVal(name, shape, a.elt)

    def constant_tensor(self, value: torch.Tensor) -> TensorVal:
        array = value.detach().cpu().numpy()
        elt = _ELT.get(value.dtype)
        if elt is None:
            raise self.fail(f"constant of dtype {value.dtype} is not supported")
        if value.dtype == torch.uint8:
            array = array.astype(np.int8)
        shape = list(array.shape)
        name = self.e.constant(dense_attr(array, elt), tensor_type(shape, elt), "w")
        return TensorVal(name, shape, elt, array)

    def constant_array(self, v: Any) -> np.ndarray:
        if isinstance(v, TensorVal) and v.const is not None:
            return v.const
        raise self.fail("expected a constant tensor (is the module frozen?)")

    # -- regions ------------------------------------------------------------------
    def import_region(self, block, args: list = (), arg_names: Optional[list] = None):
        """Imports `block` into a fresh line buffer; returns (lines, yielded)."""
        saved = self.e.lines
        self.e.lines = []
        self.e.indent += 1
        for value, val in zip(block.inputs(), args):
            self.values[value] = val
        self.import_block_nodes(block.nodes())
        yielded = [self.get(v) for v in block.outputs()]
        lines = self.e.lines
        self.e.lines = saved
        self.e.indent -= 1
        return lines, yielded


# ----------------------------------------------------------------------------
# Handlers
# ----------------------------------------------------------------------------

HANDLERS: dict[str, Callable[[Importer, Any], Any]] = {}


def handles(*kinds: str):
    def register(fn):
        for kind in kinds:
            HANDLERS[kind] = fn
        return fn
    return register


def inputs(imp: Importer, node) -> list:
    return [imp.get(v) for v in node.inputs()]


@handles("prim::Constant")
def _constant(imp: Importer, node):
    out = node.output()
    kind = out.type().kind()
    if kind == "NoneType":
        return NoneVal()
    value = out.toIValue()
    if isinstance(value, torch.Tensor):
        return imp.constant_tensor(value)
    if isinstance(value, bool):
        return ScalarVal("i1", None, value)
    if isinstance(value, int):
        return ScalarVal("i64", None, value)
    if isinstance(value, float):
        return ScalarVal("f64", None, value)
    if isinstance(value, (list, tuple)):
        items = [ScalarVal("i64", None, v) if isinstance(v, int) and not isinstance(v, bool)
                 else ScalarVal("f64", None, v) for v in value]
        return ListVal(items)
    if isinstance(value, str):
        return ScalarVal("str", None, value)
    if isinstance(value, torch.device):
        return NoneVal()
    raise imp.fail(f"constant of type {out.type()} is not supported")


@handles("prim::ListConstruct")
def _list(imp: Importer, node):
    return ListVal(inputs(imp, node))


@handles("prim::TupleConstruct")
def _tuple(imp: Importer, node):
    return TupleVal(inputs(imp, node))


@handles("prim::TupleUnpack", "prim::ListUnpack")
def _unpack(imp: Importer, node):
    v = imp.get(node.input())
    if not isinstance(v, (TupleVal, ListVal)):
        raise imp.fail("unpacking a value that is not a tuple or list")
    return list(v.items)


@handles("prim::TupleIndex", "aten::__getitem__")
def _tuple_index(imp: Importer, node):
    seq, index = inputs(imp, node)
    if not isinstance(seq, (TupleVal, ListVal)):
        raise imp.fail("indexing a value that is not a tuple or list")
    return seq.items[imp.const_int(index)]


@handles("aten::dropout", "aten::contiguous", "aten::detach", "aten::clone",
         "prim::RaiseException", "aten::warn")
def _identity(imp: Importer, node):
    if node.kind() in ("prim::RaiseException", "aten::warn"):
        return []
    return imp.get(node.inputsAt(0))


# -- elementwise ----------------------------------------------------------------

def _scalar_binary(imp: Importer, kind: str, a: ScalarVal, b: ScalarVal):
    float_ = a.kind == "f64" or b.kind == "f64"
    k = "f64" if float_ else ("i1" if a.kind == b.kind == "i1" and kind in ("and", "or") else "i64")
    if a.const is not None and b.const is not None:
        x, y = a.const, b.const
        value = {"add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y,
                 "div": lambda: x / y, "floordiv": lambda: x // y,
                 "and": lambda: x and y, "or": lambda: x or y,
                 "remainder": lambda: x % y}[kind]()
        return ScalarVal("f64" if kind == "div" else k, None, value)
    if kind == "div":
        k = "f64"
    x, y = imp.scalar(a, k), imp.scalar(b, k)
    ops_f = {"add": "arith.addf", "sub": "arith.subf", "mul": "arith.mulf", "div": "arith.divf"}
    ops_i = {"add": "arith.addi", "sub": "arith.subi", "mul": "arith.muli",
             "floordiv": "arith.floordivsi", "and": "arith.andi", "or": "arith.ori",
             "remainder": "arith.remsi"}
    op = (ops_f if k.startswith("f") else ops_i)[kind]
    return ScalarVal(k, imp.e.op(f"{op} {x.name}, {y.name} : {k}"))


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
    HANDLERS[f"aten::{_k}"] = _binary(_k, _t)
    HANDLERS[f"aten::{_k}_"] = _binary(_k, _t)
HANDLERS["aten::floordiv"] = lambda imp, node: _scalar_binary(imp, "floordiv", *inputs(imp, node))
HANDLERS["aten::__and__"] = lambda imp, node: _scalar_binary(imp, "and", *inputs(imp, node))
HANDLERS["aten::__or__"] = lambda imp, node: _scalar_binary(imp, "or", *inputs(imp, node))
HANDLERS["aten::remainder"] = lambda imp, node: _scalar_binary(imp, "remainder", *inputs(imp, node))


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


HANDLERS["aten::sigmoid"] = _unary("tosa.sigmoid")
HANDLERS["aten::tanh"] = _unary("tosa.tanh")
HANDLERS["aten::exp"] = _unary("tosa.exp")
HANDLERS["aten::log"] = _unary("tosa.log")
HANDLERS["aten::abs"] = _unary("tosa.abs")
HANDLERS["aten::sqrt"] = lambda imp, node: imp.unary(
    "tosa.reciprocal", imp.unary("tosa.rsqrt", imp.tensor(imp.get(node.inputsAt(0)))))


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


# -- comparisons ----------------------------------------------------------------

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


HANDLERS["aten::gt"] = _cmp("tosa.greater", False, False, lambda x, y: x > y, "sgt", "ogt")
HANDLERS["aten::lt"] = _cmp("tosa.greater", True, False, lambda x, y: x < y, "slt", "olt")
HANDLERS["aten::ge"] = _cmp("tosa.greater_equal", False, False, lambda x, y: x >= y, "sge", "oge")
HANDLERS["aten::le"] = _cmp("tosa.greater_equal", True, False, lambda x, y: x <= y, "sle", "ole")
HANDLERS["aten::eq"] = _cmp("tosa.equal", False, False, lambda x, y: x == y, "eq", "oeq")
HANDLERS["aten::ne"] = _cmp("tosa.equal", False, True, lambda x, y: x != y, "ne", "une")


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


# -- tensor -> scalar -----------------------------------------------------------

@handles("aten::Bool")
def _bool(imp: Importer, node):
    a = imp.get(node.input())
    if isinstance(a, TensorVal):
        # Keep it a 0-d tensor<i1>: dyn.cond takes it as is, and the scalar
        # is extracted only where arithmetic needs it.
        t = a if a.elt == "i1" else imp.compare("tosa.equal", a, ScalarVal("f64", None, 0), negate=True)
        if any(d != 1 for d in t.shape):
            raise imp.fail(f"Bool() of a tensor of shape {t.shape}")
        return imp.reshape(t, [])
    return imp.scalar(a, "i1")


@handles("aten::Int", "aten::item", "aten::Float", "aten::ScalarImplicit")
def _to_scalar(imp: Importer, node):
    a = imp.get(node.input())
    out_kind = {"int": "i64", "float": "f64", "bool": "i1"}.get(node.output().type().str())
    return imp.scalar(a, out_kind)


# -- shapes -----------------------------------------------------------------------

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
    if isinstance(v, ListVal):
        return ScalarVal("i64", None, len(v.items))
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
    return imp.reshape(t, shape)


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
    d = imp.const_int(args[1]) % t.rank
    if t.shape[d] != 1:
        return t
    return imp.reshape(t, t.shape[:d] + t.shape[d + 1:])


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
    d = imp.const_int(dim) % items[0].rank
    shape = list(items[0].shape)
    for x in items[1:]:
        shape = [a if i != d else None for i, a in enumerate(join_shapes(shape, x.shape))]
    sizes = [x.shape[d] for x in items]
    shape[d] = None if None in sizes else sum(sizes)
    for i in range(len(shape)):
        if i != d and shape[i] is None:
            shape[i] = next((x.shape[i] for x in items if x.shape[i] is not None), None)
    out = tensor_type(shape, items[0].elt)
    names = ", ".join(x.name for x in items)
    types = ", ".join(x.type for x in items)
    name = imp.e.op(f"tosa.concat {names} {{axis = {d} : i32}} : ({types}) -> {out}")
    return TensorVal(name, shape, items[0].elt)


@handles("aten::slice")
def _slice(imp: Importer, node):
    t, dim, start, end, step = inputs(imp, node)
    d = imp.const_int(dim) % t.rank
    if imp.const_int(step) != 1:
        raise imp.fail("slices with a step other than 1")
    begin = 0 if isinstance(start, NoneVal) else imp.const_int(start)
    stop = None if isinstance(end, NoneVal) else imp.const_int(end)
    extent = t.shape[d]
    whole = stop is None or stop >= 2**62  # x[begin:] is stored as end=INT64_MAX
    if extent is None:
        if begin == 0 and whole:
            return t
        raise imp.fail("slicing a dynamic dim with explicit bounds")
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


@handles("aten::select")
def _select(imp: Importer, node):
    t, dim, index = inputs(imp, node)
    d = imp.const_int(dim) % t.rank
    offsets = []
    for i in range(t.rank):
        if i == d:
            if isinstance(index, ScalarVal) and index.const is not None:
                idx = index.const % t.shape[d] if t.shape[d] else index.const
                offsets.append(str(idx))
            else:
                s = imp.scalar(index, "i64")
                offsets.append(imp.e.op(f"arith.index_cast {s.name} : i64 to index"))
        else:
            offsets.append("0")
    shape = [1 if i == d else s for i, s in enumerate(t.shape)]
    row = imp.extract_slice(t, offsets, shape)
    return imp.reshape(row, [s for i, s in enumerate(t.shape) if i != d])


# -- reductions -------------------------------------------------------------------

def _dims_arg(imp: Importer, t: TensorVal, v) -> list[int]:
    if isinstance(v, NoneVal):
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


# -- linear algebra -----------------------------------------------------------------

@handles("aten::linear")
def _linear(imp: Importer, node):
    x, w, b = inputs(imp, node)
    x = imp.tensor(x)
    # Constant weights are transposed at import, not at run time.
    wt = (imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(w.const.T)))
          if w.const is not None else _transpose_perm(imp, w, [1, 0]))
    lead = x.shape[:-1]
    x2 = x if x.rank == 2 else imp.reshape(x, [None if None in lead else math.prod(lead), x.shape[-1]])
    y = imp.matmul2d(x2, wt)
    if not isinstance(b, NoneVal):
        y = imp.binary("tosa.add", y, imp.reshape(b, [1, b.shape[0]]))
    return y if x.rank == 2 else imp.reshape(y, list(lead) + [w.shape[0]])


@handles("aten::matmul", "aten::mm", "aten::bmm")
def _matmul(imp: Importer, node):
    a, b = (imp.tensor(v) for v in inputs(imp, node))
    if a.rank == 2 and b.rank == 2:
        return imp.matmul2d(a, b)
    if a.rank == 3 and b.rank == 3:
        return imp.batch_matmul(a, b)
    if a.rank == 1 and b.rank == 2:
        return imp.reshape(imp.matmul2d(imp.reshape(a, [1, a.shape[0]]), b), [b.shape[1]])
    if a.rank == 2 and b.rank == 1:
        return imp.reshape(imp.matmul2d(a, imp.reshape(b, [b.shape[0], 1])), [a.shape[0]])
    if a.rank == 3 and b.rank == 2:
        lead = a.shape[:2]
        flat = imp.reshape(a, [None if None in lead else math.prod(lead), a.shape[2]])
        return imp.reshape(imp.matmul2d(flat, b), list(lead) + [b.shape[1]])
    raise imp.fail(f"matmul of ranks {a.rank} and {b.rank}")


@handles("aten::addmm")
def _addmm(imp: Importer, node):
    c, a, b, beta, alpha = inputs(imp, node)
    y = imp.matmul2d(imp.tensor(a), imp.tensor(b))
    return imp.binary("tosa.add", y, c)


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


@handles("aten::embedding")
def _embedding(imp: Importer, node):
    weight, idx, *_ = inputs(imp, node)
    idx = imp.tensor(idx)
    count = None if None in idx.shape else math.prod(idx.shape)
    flat = imp.cast_elt(imp.reshape(idx, [1, count]), "i32")
    table = imp.reshape(weight, [1] + list(weight.shape))
    shape = [1, count, weight.shape[1]]
    out = tensor_type(shape, weight.elt)
    name = imp.e.op(f"tosa.gather {table.name}, {flat.name} : ({table.type}, {flat.type}) -> {out}")
    return imp.reshape(TensorVal(name, shape, weight.elt), list(idx.shape) + [weight.shape[1]])


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


# -- control flow -----------------------------------------------------------------

def _result_types(imp: Importer, a: list, b: list) -> list:
    out = []
    for x, y in zip(a, b):
        if isinstance(x, TensorVal) and isinstance(y, TensorVal):
            if x.elt != y.elt:
                raise imp.fail(f"branches yield {x.elt} and {y.elt}")
            out.append(TensorVal("", join_shapes(x.shape, y.shape), x.elt))
        elif isinstance(x, ScalarVal) and isinstance(y, ScalarVal):
            k = x.kind if x.kind == y.kind else "f64"
            out.append(ScalarVal(k, ""))
        elif isinstance(x, NoneVal) and isinstance(y, NoneVal):
            out.append(NoneVal())
        else:
            raise imp.fail("branches yield values of different kinds "
                           f"({type(x).__name__}, {type(y).__name__})")
    return out


def _yield_line(imp: Importer, yielded: list, types: list) -> str:
    vals = []
    for v, t in zip(yielded, types):
        if isinstance(t, NoneVal):
            continue
        if isinstance(t, ScalarVal):
            v = imp.scalar(v, t.kind)
        vals.append(v)
    if not vals:
        return "dyn.yield"
    return "dyn.yield " + ", ".join(v.name for v in vals) + " : " + ", ".join(v.type for v in vals)


@handles("prim::If")
def _if(imp: Importer, node):
    pred = imp.get(node.input())
    if isinstance(pred, ScalarVal) and pred.const is not None:
        block = list(node.blocks())[0 if pred.const else 1]
        imp.import_block_nodes(block.nodes())
        return [imp.get(v) for v in block.outputs()]
    if isinstance(pred, TensorVal):
        pred = imp.reshape(pred, []) if pred.rank else pred
        pred_type = pred.type
    else:
        pred = imp.scalar(pred, "i1")
        pred_type = "i1"
    then_block, else_block = node.blocks()
    then_lines, then_nested = imp.import_region(then_block)
    else_lines, else_nested = imp.import_region(else_block)
    # Tuples (early returns) cross the region edge element by element.
    then_vals, else_vals = imp.flatten(then_nested), imp.flatten(else_nested)
    types = _result_types(imp, then_vals, else_vals)
    # Yields are emitted inside each region's buffer.
    imp.e.lines, saved = then_lines, imp.e.lines
    imp.e.indent += 1
    then_yield = _yield_line(imp, then_vals, types)
    imp.e.lines = else_lines
    else_yield = _yield_line(imp, else_vals, types)
    imp.e.indent -= 1
    imp.e.lines = saved
    real = [t for t in types if not isinstance(t, NoneVal)]
    names: list[str] = []
    head = ""
    if real:
        res = imp.e.fresh("if")
        head = f"{res}:{len(real)} = " if len(real) > 1 else f"{res} = "
        names = [f"{res}#{i}" if len(real) > 1 else res for i in range(len(real))]
    rtypes = ", ".join(t.type for t in real)
    imp.e.emit(f"{head}dyn.cond {pred.name} : {pred_type}" + (f" -> {rtypes}" if real else "") + " {")
    imp.e.lines.extend(then_lines)
    imp.e.emit("  " + then_yield)
    imp.e.emit("} else {")
    imp.e.lines.extend(else_lines)
    imp.e.emit("  " + else_yield)
    imp.e.emit("}")
    flat, it = [], iter(names)
    for t in types:
        if isinstance(t, NoneVal):
            flat.append(NoneVal())
        elif isinstance(t, TensorVal):
            flat.append(TensorVal(next(it), t.shape, t.elt))
        else:
            flat.append(ScalarVal(t.kind, next(it)))
    return _restructure(then_nested, iter(flat))


def _restructure(like: list, flat) -> list:
    """Rebuilds the tuple nesting of `like` from the flat values."""
    out = []
    for v in like:
        if isinstance(v, (TupleVal, ListVal)):
            out.append(type(v)(_restructure(v.items, flat)))
        else:
            out.append(next(flat))
    return out


@handles("prim::Loop")
def _loop(imp: Importer, node):
    args = inputs(imp, node)
    max_trip, init_cond, carried = args[0], args[1], args[2:]
    body = next(node.blocks())
    # Loop-carried types: start from the initial values and widen (dims that
    # change become ?) until the body's yields fit.
    types = [_carried_type(imp, v) for v in carried]
    for _attempt in range(4):
        iv = ScalarVal("i64", imp.e.fresh("iv"))
        cond_arg = ScalarVal("i1", imp.e.fresh("go"))
        block_args = [_fresh_like(imp, t) for t in types]
        lines, yielded = imp.import_region(body, [iv] + block_args)
        new_types = _result_types(imp, types, yielded[1:])
        if [getattr(t, "shape", None) for t in new_types] == [getattr(t, "shape", None) for t in types]:
            break
        # Retry with the wider types; constants made by the discarded attempt
        # stay (values outside the loop may refer to them) and die in DCE.
        types = new_types
    else:
        raise imp.fail("cannot find loop-carried types")

    const_trip = max_trip.const if isinstance(max_trip, ScalarVal) else None
    bounded = const_trip is not None and const_trip < 2**62
    trip = imp.scalar(max_trip, "i64")
    cond0 = imp.scalar(init_cond, "i1")
    zero = imp.e.constant("0", "i64")
    inits = [zero, cond0.name] + [imp.scalar(v, t.kind).name if isinstance(t, ScalarVal) else
                                  imp.tensor(v).name for v, t in zip(carried, types)]
    init_types = ["i64", "i1"] + [_value_type(imp, v, t) for v, t in zip(carried, types)]
    carried_types = ["i64", "i1"] + [t.type for t in types]
    # before: go = cond && iv < trip
    b_iv, b_c = imp.e.fresh("biv"), imp.e.fresh("bc")
    b_vals = [imp.e.fresh("bv") for _ in types]
    assign = [f"{b_iv} = {inits[0]}", f"{b_c} = {inits[1]}"]
    for name, init, it, ct in zip(b_vals, inits[2:], init_types[2:], carried_types[2:]):
        assign.append(f"{name} = {init}" + (f" : {it}" if it != ct else ""))
    res = imp.e.fresh("loop")
    n = len(carried_types)
    imp.e.emit(f"{res}:{n} = dyn.while ({', '.join(assign)}) : ({', '.join(carried_types)}) -> "
               f"({', '.join(carried_types)}) {{")
    lt = imp.e.fresh("lt")
    go = imp.e.fresh("go")
    imp.e.emit(f"  {lt} = arith.cmpi slt, {b_iv}, {trip.name} : i64")
    imp.e.emit(f"  {go} = arith.andi {lt}, {b_c} : i1")
    imp.e.emit(f"  dyn.condition({go} : i1) {', '.join([b_iv, b_c] + b_vals)} : {', '.join(carried_types)}")
    imp.e.emit("} do {")
    arg_decls = [f"{iv.name}: i64", f"{cond_arg.name}: i1"] + [f"{a.name}: {t.type}" for a, t in zip(block_args, types)]
    imp.e.emit(f"^bb0({', '.join(arg_decls)}):")
    imp.e.lines.extend(lines)
    imp.e.lines, saved = [], imp.e.lines
    imp.e.indent += 1
    one = imp.e.constant("1", "i64")
    nxt = imp.e.op(f"arith.addi {iv.name}, {one} : i64")
    c_next = imp.scalar(yielded[0], "i1")
    vals = [imp.scalar(v, t.kind) if isinstance(t, ScalarVal) else imp.tensor(v) for v, t in zip(yielded[1:], types)]
    imp.e.emit("dyn.yield " + ", ".join([nxt, c_next.name] + [v.name for v in vals]) + " : " +
               ", ".join(["i64", "i1"] + [v.type for v in vals]))
    tail = imp.e.lines
    imp.e.lines = saved
    imp.e.indent -= 1
    imp.e.lines.extend(tail)
    imp.e.emit("}" + (f" attributes {{max_iterations = {const_trip} : i64}}" if bounded else ""))
    out = []
    for i, t in enumerate(types):
        if isinstance(t, TensorVal):
            out.append(TensorVal(f"{res}#{i + 2}", t.shape, t.elt))
        else:
            out.append(ScalarVal(t.kind, f"{res}#{i + 2}"))
    return out


def _carried_type(imp: Importer, v):
    if isinstance(v, TensorVal):
        return TensorVal("", list(v.shape), v.elt)
    if isinstance(v, ScalarVal):
        return ScalarVal(v.kind, "")
    raise imp.fail(f"loop-carried {type(v).__name__} values are not supported")


def _fresh_like(imp: Importer, t):
    if isinstance(t, TensorVal):
        return TensorVal(imp.e.fresh("a"), list(t.shape), t.elt)
    return ScalarVal(t.kind, imp.e.fresh("a"))


def _value_type(imp: Importer, v, t) -> str:
    if isinstance(t, ScalarVal):
        return t.kind
    return imp.tensor(v).type


# -- convolutions and pooling (NCHW in PyTorch, NHWC in TOSA) -----------------

def _pair(imp: Importer, v) -> list[int]:
    values = imp.const_list(v) if isinstance(v, ListVal) else [imp.const_int(v)]
    return values * 2 if len(values) == 1 else values


def _to_nhwc(imp: Importer, t: TensorVal) -> TensorVal:
    return _transpose_perm(imp, t, [0, 2, 3, 1])


def _to_nchw(imp: Importer, t: TensorVal) -> TensorVal:
    return _transpose_perm(imp, t, [0, 3, 1, 2])


def _fit_window(imp: Importer, xh: TensorVal, k: tuple, s: tuple, p: tuple,
                d: tuple = (1, 1)) -> tuple[TensorVal, list[int]]:
    """TOSA wants (extent + pads - window) divisible by the stride, PyTorch
    floors: trims the trailing pad, then trailing rows/cols the window never
    reaches. Returns the (maybe sliced) NHWC input and [top, bottom, left,
    right] pads."""
    pads = []
    sizes = list(xh.shape)
    for axis, (n, kk, ss, pp, dd) in enumerate(zip(xh.shape[1:3], k, s, p, d), start=1):
        if n is None:
            raise imp.fail("windows over dynamic spatial dims")
        rem = (n + 2 * pp - dd * (kk - 1) - 1) % ss
        bottom = pp - min(pp, rem)
        sizes[axis] = n - (rem - (pp - bottom))
        pads += [pp, bottom]
    if sizes != list(xh.shape):
        shape = [None if v is None else sz for v, sz in zip(xh.shape, sizes)]
        xh = imp.extract_slice(xh, [0, 0, 0, 0], shape)
    return xh, pads


def _out_extent(n: Optional[int], k: int, s: int, p0: int, p1: int, d: int = 1,
                ceil: bool = False) -> Optional[int]:
    if n is None:
        return None
    span = n + p0 + p1 - d * (k - 1) - 1
    return (-(-span // s) if ceil else span // s) + 1


@handles("aten::conv2d", "aten::_convolution")
def _conv2d(imp: Importer, node):
    args = inputs(imp, node)
    x, w, b, stride, padding, dilation = args[:6]
    if node.kind() == "aten::_convolution":
        if bool(args[6].const):
            raise imp.fail("transposed convolutions")
        groups = args[8]
    else:
        groups = args[6]
    groups = imp.const_int(groups)
    x = imp.tensor(x)
    if x.rank != 4:
        raise imp.fail("only 2-D convolutions on NCHW inputs")
    if isinstance(padding, ScalarVal):
        raise imp.fail("string padding")
    sh, sw = _pair(imp, stride)
    ph, pw = _pair(imp, padding)
    dh, dw = _pair(imp, dilation)
    weight = imp.constant_array(w)  # OIHW
    out_c, in_c_per_group, kh, kw = weight.shape
    bias = (imp.constant_array(b) if not isinstance(b, NoneVal)
            else np.zeros(out_c, np.float32))
    xh, pads = _fit_window(imp, _to_nhwc(imp, x), (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    n, h, wd, c = xh.shape
    oh = _out_extent(h, kh, sh, pads[0], pads[1], dh)
    ow = _out_extent(wd, kw, sw, pads[2], pads[3], dw)
    zp = imp.e.tosa_const("dense<0.0>", "tensor<1xf32>")
    attrs = (f"{{acc_type = f32, dilation = array<i64: {dh}, {dw}>, "
             f"pad = array<i64: {', '.join(map(str, pads))}>, stride = array<i64: {sh}, {sw}>}}")
    bias_t = imp.constant_tensor(torch.from_numpy(bias.astype(np.float32)))
    if groups == 1:
        wt = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(weight.transpose(0, 2, 3, 1))))
        shape = [n, oh, ow, out_c]
        op = "tosa.conv2d"
    elif groups == c and in_c_per_group == 1:
        # Depthwise: OIHW with I = 1 -> HWCM with M = out / in.
        mult = out_c // c
        hwcm = weight.reshape(c, mult, kh, kw).transpose(2, 3, 0, 1)
        wt = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(hwcm)))
        shape = [n, oh, ow, c * mult]
        op = "tosa.depthwise_conv2d"
    else:
        raise imp.fail(f"grouped convolutions (groups={groups})")
    out = tensor_type(shape, "f32")
    name = imp.e.op(f"{op} {xh.name}, {wt.name}, {bias_t.name}, {zp}, {zp} {attrs} : "
                    f"({xh.type}, {wt.type}, {bias_t.type}, tensor<1xf32>, tensor<1xf32>) -> {out}")
    return _to_nchw(imp, TensorVal(name, shape, "f32"))


def _pool(imp: Importer, node, kind: str):
    args = inputs(imp, node)
    x = imp.tensor(args[0])
    kh, kw = _pair(imp, args[1])
    stride = args[2]
    sh, sw = (kh, kw) if isinstance(stride, ListVal) and not stride.items else _pair(imp, stride)
    ph, pw = _pair(imp, args[3])
    ceil = False
    if kind == "max":
        dh, dw = _pair(imp, args[4])
        ceil = bool(args[5].const)
        if (dh, dw) != (1, 1):
            raise imp.fail("dilated pooling")
    else:
        ceil = bool(args[4].const)
        if not bool(args[5].const) and (ph or pw):
            raise imp.fail("avg_pool2d with count_include_pad=False and padding")
    if ceil:
        raise imp.fail("ceil_mode pooling")
    xh, pads = _fit_window(imp, _to_nhwc(imp, x), (kh, kw), (sh, sw), (ph, pw))
    n, h, w, c = xh.shape
    shape = [n, _out_extent(h, kh, sh, pads[0], pads[1]), _out_extent(w, kw, sw, pads[2], pads[3]), c]
    out = tensor_type(shape, xh.elt)
    attrs = (f"kernel = array<i64: {kh}, {kw}>, pad = array<i64: {', '.join(map(str, pads))}>, "
             f"stride = array<i64: {sh}, {sw}>")
    if kind == "max":
        name = imp.e.op(f"tosa.max_pool2d {xh.name} {{{attrs}}} : ({xh.type}) -> {out}")
    else:
        zp = imp.e.tosa_const("dense<0.0>", "tensor<1xf32>")
        name = imp.e.op(f"tosa.avg_pool2d {xh.name}, {zp}, {zp} {{acc_type = f32, {attrs}}} : "
                        f"({xh.type}, tensor<1xf32>, tensor<1xf32>) -> {out}")
    return _to_nchw(imp, TensorVal(name, shape, xh.elt))


HANDLERS["aten::max_pool2d"] = lambda imp, node: _pool(imp, node, "max")
HANDLERS["aten::avg_pool2d"] = lambda imp, node: _pool(imp, node, "avg")


@handles("aten::adaptive_avg_pool2d")
def _adaptive_avg_pool2d(imp: Importer, node):
    x, size = inputs(imp, node)
    x = imp.tensor(x)
    if _pair(imp, size) != [1, 1]:
        raise imp.fail("adaptive_avg_pool2d to a size other than 1x1")
    h, w = x.shape[2], x.shape[3]
    if h is None or w is None:
        raise imp.fail("adaptive_avg_pool2d over dynamic spatial dims")
    total = imp.reduce("tosa.reduce_sum", x, [2, 3], True)
    return imp.binary("tosa.mul", total, ScalarVal("f64", None, 1.0 / (h * w)))


# -- constructors and recurrent cells ------------------------------------------

_DTYPE_CODES = {6: "f32", 7: "f64", 5: "f16", 4: "i64", 3: "i32", 11: "i1", 1: "i8"}


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
        return imp.constant_tensor(torch.from_numpy(array).to(_TORCH_DTYPE[elt]))
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
        elt = "f32" if isinstance(dtype, NoneVal) else _DTYPE_CODES.get(imp.const_int(dtype))
        if elt is None:
            raise imp.fail("unsupported dtype")
        return _sized_tensor(imp, sizes.items, elt, value)
    return handler


HANDLERS["aten::zeros"] = _constructor(0.0)
HANDLERS["aten::ones"] = _constructor(1.0)


@handles("aten::__contains__")
def _contains(imp: Importer, node):
    seq, item = inputs(imp, node)
    values = imp.const_list(seq)
    return ScalarVal("i1", None, imp.const_int(item) in values)


@handles("aten::pow")
def _pow(imp: Importer, node):
    a, b = inputs(imp, node)
    if isinstance(a, ScalarVal) and isinstance(b, ScalarVal) and a.const is not None and b.const is not None:
        result = a.const ** b.const
        return ScalarVal("f64" if isinstance(result, float) else "i64", None, result)
    if isinstance(a, TensorVal) and isinstance(b, ScalarVal) and b.const == 2:
        return imp.binary("tosa.mul", a, a)
    raise imp.fail("pow other than of constants or squares")


def _slice_cols(imp: Importer, t: TensorVal, start: int, size: int) -> TensorVal:
    return imp.extract_slice(t, [0, start], [t.shape[0], size])


@handles("aten::lstm_cell")
def _lstm_cell(imp: Importer, node):
    x, state, w_ih, w_hh, b_ih, b_hh = inputs(imp, node)
    x = imp.tensor(x)
    h, c = state.items
    unbatched = x.rank == 1
    if unbatched:
        x, h, c = (imp.reshape(v, [1] + list(v.shape)) for v in (x, h, c))
    wi = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(imp.constant_array(w_ih).T)))
    wh = imp.constant_tensor(torch.from_numpy(np.ascontiguousarray(imp.constant_array(w_hh).T)))
    gates = imp.binary("tosa.add", imp.matmul2d(x, wi), imp.matmul2d(h, wh))
    if not isinstance(b_ih, NoneVal):
        bias = imp.constant_array(b_ih) + imp.constant_array(b_hh)
        gates = imp.binary("tosa.add", gates, imp.constant_tensor(torch.from_numpy(bias.reshape(1, -1))))
    hidden = wh.shape[0]
    i, f, g, o = (_slice_cols(imp, gates, k * hidden, hidden) for k in range(4))
    i, f, o = (imp.unary("tosa.sigmoid", v) for v in (i, f, o))
    g = imp.unary("tosa.tanh", g)
    c2 = imp.binary("tosa.add", imp.binary("tosa.mul", f, c), imp.binary("tosa.mul", i, g))
    h2 = imp.binary("tosa.mul", o, imp.unary("tosa.tanh", c2))
    if unbatched:
        h2, c2 = imp.reshape(h2, [hidden]), imp.reshape(c2, [hidden])
    return [h2, c2]


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
