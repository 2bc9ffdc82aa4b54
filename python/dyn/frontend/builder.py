"""IR building on the importer's values: scalars, tensors, tosa and linalg.

`Builder` is what op handlers compute with, whatever graph they come from:
it turns `TensorVal` / `ScalarVal` operands into MLIR text through an
`Emitter` and returns new values. Graph walkers (the TorchScript importer)
derive from it and say where an error is (`fail`).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any, Optional, Sequence

import numpy as np
import torch

from dyn.dtypes import to_torch
from dyn.frontend.emitter import Emitter, dense_attr, float_literal
from dyn.frontend.values import (ListVal, NoneVal, ScalarVal, Shape, TensorVal, TupleVal,
                                 UnsupportedError, broadcast_shapes, elt_of, tensor_type)


class Builder:
    def __init__(self) -> None:
        self.e = Emitter()

    def fail(self, message: str) -> UnsupportedError:
        """The error to raise for `message` (graph walkers add where)."""
        return UnsupportedError(message)

    def flatten(self, vals: list) -> list:
        """`vals` with their tuples and lists spliced in, recursively."""
        out = []
        for v in vals:
            if isinstance(v, (TupleVal, ListVal)):
                out.extend(self.flatten(v.items))
            else:
                out.append(v)
        return out

    def entry_function(self, name: str, args: list[str], results: list) -> str:
        """The imported function: `args` its parameters, `results` what
        forward returned (values, tuples and lists of them, None). Its
        results are those values flattened, without the Nones; what it
        returned is kept as `result_tree`: the nesting, with the index of
        each value among the function's results and None where forward
        returned None (the compiled module rebuilds it from that)."""
        flat: list = []

        def tree(v: Any) -> Any:
            if isinstance(v, (TupleVal, ListVal)):
                items = [tree(item) for item in v.items]
                return tuple(items) if isinstance(v, TupleVal) else items
            if isinstance(v, NoneVal):
                return None
            flat.append(self.materialize(v))
            return len(flat) - 1

        self.result_tree = [tree(v) for v in results]
        if not flat:
            raise UnsupportedError("forward returns None (or only Nones): a compiled "
                                   "model returns tensors and numbers")
        self.e.emit("return " + ", ".join(v.name for v in flat) + " : " +
                    ", ".join(v.type for v in flat))
        self.result_kinds = [v.type for v in flat]
        body = self.e.body()
        return (f"func.func @{name}({', '.join(args)}) -> "
                f"({', '.join(self.result_kinds)}) {{\n{body}\n}}\n")

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
            v = self.one_element(v, "RuntimeError: a Tensor with more than one element "
                                    "cannot be converted to Scalar")
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

    def one_element(self, t: TensorVal, message: str) -> TensorVal:
        """`t`, which must have one element, with static dims: a dynamic dim
        (the batch of a model run at batch 1) is checked to be 1 at run time,
        raising `message` ("Error: text") where it is not."""
        if any(d not in (1, None) for d in t.shape):
            raise self.fail(f"expected a one-element tensor, got {t.type}")
        if None not in t.shape:
            return t
        from dyn.frontend.torchscript import _mlir_string

        for d, n in enumerate(t.shape):
            if n is None:
                ok = self.e.op(f"arith.cmpi eq, {self.dim_value(t, d)}, {self.index(1)} : index")
                self.e.emit(f"cf.assert {ok}, {_mlir_string(message)}")
        shape = [1] * t.rank
        return TensorVal(self.e.op(f"tensor.cast {t.name} : {t.type} to "
                                   f"{tensor_type(shape, t.elt)}"), shape, t.elt)

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
                t.const.reshape(shape))).to(to_torch(t.elt)))
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

    def extract_slice(self, t: TensorVal, offsets: Sequence, shape: Shape,
                      sizes: Optional[dict] = None) -> TensorVal:
        """tensor.extract_slice of `t` at `offsets` (ints or index SSA names),
        unit strides, result `shape`; a dynamic result dim is `sizes[d]` (an
        index SSA name) if given, else the whole (dynamic) extent of `t`."""
        sizes = sizes or {}
        sizes = [sizes[i] if i in sizes else self.dim_value(t, i) if s is None else str(s)
                 for i, s in enumerate(shape)]
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
        return self.e.op(f"tensor.empty({', '.join(self.sizes_of(shape, like))}) : "
                         f"{tensor_type(shape, elt)}")

    def filled(self, shape: Shape, elt: str, like: list, value: float = 0.0,
               sizes: Optional[Sequence[str]] = None) -> str:
        """A tensor of `value`; its dynamic dims from `like`'s (tensor, dim)
        pairs, or `sizes` (index SSA names)."""
        empty = self.empty(shape, elt, like) if sizes is None else self.e.op(
            f"tensor.empty({', '.join(sizes)}) : {tensor_type(shape, elt)}")
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
        elt = elt_of(value.dtype)
        if elt is None:
            raise self.fail(f"constant of dtype {value.dtype} is not supported")
        if value.dtype == torch.uint8:
            array = array.astype(np.int8)
        shape = list(array.shape)
        # keyed by content: one constant per distinct weight, written lazily
        key = ("dense", elt, array.dtype.str, hashlib.sha1(
            np.ascontiguousarray(array).tobytes()).digest())
        name = self.e.constant(lambda: dense_attr(array, elt), tensor_type(shape, elt), "w",
                               key=key)
        return TensorVal(name, shape, elt, array)

    def constant_array(self, v: Any) -> np.ndarray:
        if isinstance(v, TensorVal) and v.const is not None:
            return v.const
        raise self.fail("expected a constant tensor (is the module frozen?)")

    # -- linalg.generic -------------------------------------------------------------
    # Ops that TOSA has no op for (gathers, scatters, resampling, scans, the
    # math functions TOSA lacks) are written as one linalg.generic each: an
    # index computation per output element, which upstream's linalg
    # transforms (fusion, tiling, vectorisation of tensor.extract) handle.
    def generic(self, ins: Sequence[tuple[TensorVal, Sequence[str]]], shape: Shape, elt: str,
                body, *, init: Optional[str] = None, sizes: Optional[Sequence[str]] = None,
                reductions: Sequence = (), out_map: Optional[Sequence[str]] = None) -> TensorVal:
        """A linalg.generic whose loops are the dims of the result `shape`
        (d0 ...) then the `reductions` (extents: ints or index SSA names).

        `ins` pairs each input with its affine expressions over those loops;
        `body(args, acc)` gets the block's argument names (`acc` is the
        output's) and returns the SSA name to yield; it emits through
        `self.e` and may read `self.loop(d)`. The result starts as `init`
        (default: tensor.empty, its dynamic dims `sizes`, index SSA names in
        order)."""
        rank = len(shape) + len(reductions)
        dims = ", ".join(f"d{i}" for i in range(rank))
        out_map = list(out_map) if out_map is not None else [f"d{i}" for i in range(len(shape))]
        out_type = tensor_type(shape, elt)
        if init is None:
            init = self.e.op(f"tensor.empty({', '.join(sizes or [])}) : {out_type}")
        ins = list(ins)
        given = len(ins)
        if reductions:
            # The reduction loops' extents come from a shape-only operand, as
            # linalg's pooling ops take their window.
            window = [r if isinstance(r, int) else None for r in reductions]
            dynamic = [r for r in reductions if not isinstance(r, int)]
            extent = self.e.op(f"tensor.empty({', '.join(dynamic)}) : {tensor_type(window, 'i8')}")
            ins.append((TensorVal(extent, window, "i8"),
                        [f"d{len(shape) + i}" for i in range(len(reductions))]))
        maps = [f"affine_map<({dims}) -> ({', '.join(exprs)})>" for _, exprs in ins]
        maps.append(f"affine_map<({dims}) -> ({', '.join(out_map)})>")
        iterators = ", ".join(['"parallel"'] * len(shape) + ['"reduction"'] * len(reductions))
        operands = (f"ins({', '.join(t.name for t, _ in ins)} : {', '.join(t.type for t, _ in ins)}) "
                    if ins else "")
        name = self.e.fresh()
        self.e.emit(f"{name} = linalg.generic {{indexing_maps = [{', '.join(maps)}], "
                    f"iterator_types = [{iterators}]}} {operands}outs({init} : {out_type}) {{")
        args = [self.e.fresh("a") for _ in ins]
        acc = self.e.fresh("acc")
        self.e.emit("^bb0(" + ", ".join(f"{a}: {t.elt}" for a, (t, _) in zip(args, ins))
                    + (", " if ins else "") + f"{acc}: {elt}):")
        self.e.indent += 1
        result = body(args[:given], acc)
        self.e.emit(f"linalg.yield {result} : {elt}")
        self.e.indent -= 1
        self.e.emit(f"}} -> {out_type}")
        return TensorVal(name, list(shape), elt)

    def loop(self, d: int) -> str:
        """Inside a generic's body: the index of loop d."""
        return self.e.op(f"linalg.index {d} : index")

    def sizes_of(self, shape: Shape, like: Sequence[tuple[TensorVal, int]]) -> list[str]:
        """The dynamic extents of `shape` (index SSA names) from (tensor, dim) pairs."""
        return [self.dim_value(*pair) for pair, s in zip(like, shape) if s is None]

    def clamp_index(self, i: str, extent: str) -> str:
        """An index value clamped to [0, extent - 1]: the gathers' reads stay
        inside the tensor whatever the data says (PyTorch raises on an
        index out of range; a compiled read out of bounds would be memory
        corruption)."""
        zero, one = self.index(0), self.index(1)
        last = self.e.op(f"arith.subi {extent}, {one} : index")
        return self.e.op(f"arith.minsi {self.e.op(f'arith.maxsi {i}, {zero} : index')}, "
                         f"{last} : index")

    def in_bounds(self, i: str, extent: str) -> str:
        """0 <= i < extent (index values), as an i1."""
        ge = self.e.op(f"arith.cmpi sge, {i}, {self.index(0)} : index")
        lt = self.e.op(f"arith.cmpi slt, {i}, {extent} : index")
        return self.e.op(f"arith.andi {ge}, {lt} : i1")

    def index_of(self, name: str, kind: str) -> str:
        """An integer scalar (any width) as an index value."""
        if kind == "index":
            return name
        return self.e.op(f"arith.index_cast {name} : {kind} to index")

    def wrap_index(self, i: str, extent: str) -> str:
        """Python's negative indices: i < 0 ? i + extent : i."""
        zero = self.index(0)
        negative = self.e.op(f"arith.cmpi slt, {i}, {zero} : index")
        shifted = self.e.op(f"arith.addi {i}, {extent} : index")
        return self.e.op(f"arith.select {negative}, {shifted}, {i} : index")

    def extract(self, t: TensorVal, indices: Sequence[str]) -> str:
        return self.e.op(f"tensor.extract {t.name}[{', '.join(indices)}] : {t.type}")

    def broadcast_exprs(self, t: TensorVal, shape: Shape, offset: int = 0) -> list[str]:
        """The affine expressions that read `t` broadcast (numpy's rules,
        right-aligned) to `shape`, whose dims are loops offset..."""
        lead = len(shape) - t.rank
        return ["0" if s == 1 and shape[lead + i] != 1 else f"d{offset + lead + i}"
                for i, s in enumerate(t.shape)]

    # -- reshapes between the leading dims and one ---------------------------------
    def collapse_lead(self, t: TensorVal, k: int) -> TensorVal:
        """t with its first k dims collapsed into one (tensor.collapse_shape:
        any number of them dynamic)."""
        if k <= 1:
            return t
        lead = t.shape[:k]
        shape = [None if None in lead else math.prod(lead)] + list(t.shape[k:])
        if lead.count(None) <= 1:
            return self.reshape(t, shape)
        groups = [list(range(k))] + [[i] for i in range(k, t.rank)]
        assoc = "[" + ", ".join("[" + ", ".join(map(str, g)) + "]" for g in groups) + "]"
        return TensorVal(self.e.op(f"tensor.collapse_shape {t.name} {assoc} : {t.type} into "
                                   f"{tensor_type(shape, t.elt)}"), shape, t.elt)

    def expand_lead(self, t: TensorVal, like: TensorVal, k: int) -> TensorVal:
        """t's dim 0 split into like's first k dims (the inverse of
        collapse_lead)."""
        if k <= 1:
            return t
        shape = list(like.shape[:k]) + list(t.shape[1:])
        if like.shape[:k].count(None) <= 1:
            return self.reshape(t, shape)
        groups = [list(range(k))] + [[k + i] for i in range(t.rank - 1)]
        assoc = "[" + ", ".join("[" + ", ".join(map(str, g)) + "]" for g in groups) + "]"
        dims = [self.dim_value(like, i) if s is None else str(s)
                for i, s in enumerate(like.shape[:k])]
        dims += [self.dim_value(t, 1 + i) if s is None else str(s) for i, s in enumerate(t.shape[1:])]
        return TensorVal(self.e.op(f"tensor.expand_shape {t.name} {assoc} output_shape "
                                   f"[{', '.join(dims)}] : {t.type} into "
                                   f"{tensor_type(shape, t.elt)}"), shape, t.elt)
