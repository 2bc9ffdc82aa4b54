"""Import a `torch.export` program (PyTorch 2, Core ATen) into the dyn dialect.

The graph walker for PyTorch 2: the program is exported (`torch.export`,
dynamic dims as `torch.export.Dim`), decomposed to Core ATen
(`run_decompositions`), and walked here. Parameters, buffers and lifted
constants become constant tensors; user inputs become the entry's
arguments. The data-dependent control flow that torch.export keeps maps onto
dyn ops:

* `torch.cond` (`higher_order.cond`) -> `dyn.cond`, its two graphs imported
  into the regions;
* `torch.while_loop` (`higher_order.while_loop`) -> `dyn.while`, the cond
  graph in `before`, the body graph in `after` (torch.while_loop keeps the
  carried shapes fixed).

Ops are lowered by the same handlers as the TorchScript walker's
(`dyn.frontend.ops`): an aten op means the same in both, and a node's
arguments are handed over in the op's schema order, as TorchScript has them.
The Core ATen ops whose schema differs from the TorchScript op a handler
serves (`_softmax`, `_native_batch_norm_legit_no_training`, ...) are
adapted in `_ADAPTERS`. An op without a handler raises `UnsupportedError`
naming it and its source line.
"""

from __future__ import annotations

import functools
import operator
import sys
from typing import Any, Callable, Optional

import torch
import torch.fx

from dyn.dtypes import from_torch
from dyn.frontend.builder import Builder
from dyn.frontend.ops.scalar import _scalar_binary
from dyn.frontend.registry import HANDLERS
from dyn.frontend.torchscript import _carried_type, _fresh_like, _result_types, emit_cond
from dyn.frontend.values import (ListVal, NoneVal, ScalarVal, TensorVal, TupleVal,
                                 UnsupportedError, elt_of)

__all__ = ["ExportImporter", "export_program"]


class _Node:
    """What op handlers read of a graph node (the part of TorchScript's
    `torch._C.Node` they use), for an FX node: the aten kind and the
    arguments in schema order."""

    def __init__(self, kind: str, args: list):
        self._kind = kind
        self._args = args

    def kind(self) -> str:
        return self._kind

    def inputs(self) -> list:
        return list(self._args)

    def inputsAt(self, i: int) -> Any:  # noqa: N802 (TorchScript's spelling)
        return self._args[i]

    def input(self) -> Any:
        if len(self._args) != 1:
            raise UnsupportedError(f"{self._kind}: expected one operand, got {len(self._args)}")
        return self._args[0]

    def output(self):
        raise UnsupportedError(f"{self._kind}: not available on the PyTorch 2 path")


def _user_frame(trace: str) -> Optional[str]:
    """file:line of the innermost frame of a stack trace in the model's code."""
    for line in reversed(trace.strip().splitlines()):
        line = line.strip()
        if not line.startswith("File "):
            continue
        parts = line.split(",")
        path = parts[0].removeprefix("File ").strip().strip('"')
        if len(parts) < 2 or path.startswith("<") or "/torch/" in path or \
                path.endswith(("dyn/frontend/rewrite.py", "dyn/frontend/export.py")):
            continue
        return f"{path}:{parts[1].strip().removeprefix('line ')}"
    return None


def _schema_args(target, node: torch.fx.Node) -> list:
    """The node's arguments in the schema's order, defaults filled in."""
    schema = target._schema
    out = []
    for i, arg in enumerate(schema.arguments):
        if i < len(node.args):
            out.append(node.args[i])
        elif arg.name in node.kwargs:
            out.append(node.kwargs[arg.name])
        elif arg.has_default_value():
            out.append(arg.default_value)
        else:
            raise UnsupportedError(f"{schema.name}: argument {arg.name} is missing")
    return out


def _kind(target) -> str:
    """aten::name of an OpOverload (the overload is in the arguments)."""
    return target._schema.name


# Core ATen ops whose schema differs from the op whose handler serves them:
# (handler kind, arguments rewritten, results rebuilt).
def _softmax(args):
    return [args[0], args[1], None]


def _batch_norm(args):
    x, w, b, mean, var, momentum, eps = args
    return [x, w, b, mean, var, False, momentum, eps, False]


def _layer_norm(args):
    x, shape, w, b, eps = args
    return [x, shape, w, b, eps, False]


def _convolution(args):
    return list(args) + [False, False, False, False]


def _with_nones(n: int) -> Callable[[Any], Any]:
    """The handler's one result and n None (statistics, indices) after it."""
    return lambda y: TupleVal([y] + [NoneVal() for _ in range(n)])


_ADAPTERS: dict[str, tuple[str, Callable[[list], list], Optional[Callable[[Any], Any]]]] = {
    "aten::_softmax": ("aten::softmax", _softmax, None),
    "aten::_log_softmax": ("aten::log_softmax", _softmax, None),
    "aten::_native_batch_norm_legit_no_training": ("aten::batch_norm", _batch_norm,
                                                   _with_nones(2)),
    "aten::native_layer_norm": ("aten::layer_norm", _layer_norm, _with_nones(2)),
    "aten::max_pool2d_with_indices": ("aten::max_pool2d", lambda a: a, _with_nones(1)),
    "aten::max_pool3d_with_indices": ("aten::max_pool3d", lambda a: a, _with_nones(1)),
    "aten::convolution": ("aten::_convolution", _convolution, None),
    "aten::_unsafe_view": ("aten::view", lambda a: a, None),
    "aten::_adaptive_avg_pool2d": ("aten::adaptive_avg_pool2d", lambda a: a, None),
    "aten::sym_size": ("aten::size", lambda a: a, None),
    "aten::alias": ("aten::clone", lambda a: [a[0], None], None),
    "aten::fill": ("aten::full_like", lambda a: [a[0], a[1], None], None),
    # Uninitialised memory: zeros (reading it before writing is the model's bug).
    "aten::empty": ("aten::full", lambda a: [a[0], 0.0, a[1]], None),
    "aten::empty_strided": ("aten::full", lambda a: [a[0], 0.0, a[2]], None),
}

# Python operators on symbolic ints and bools (sizes, loop counters, the
# conditions of torch.export's run-time checks): the scalar handlers'.
_OPERATORS = {operator.add: "aten::add", operator.sub: "aten::sub",
              operator.mul: "aten::mul", operator.floordiv: "aten::floordiv",
              operator.mod: "aten::remainder", operator.lt: "aten::lt",
              operator.le: "aten::le", operator.gt: "aten::gt", operator.ge: "aten::ge",
              operator.eq: "aten::eq", operator.ne: "aten::ne",
              operator.and_: "aten::__and__", operator.or_: "aten::__or__"}
_OPERATORS[operator.neg] = "aten::neg"
if hasattr(torch, "sym_not"):  # PyTorch 2 (this module imports under 1.13 too)
    _OPERATORS.update({torch.sym_not: "aten::__not__", torch.sym_max: "prim::max",
                       torch.sym_min: "prim::min"})

# Ops the importer lowers itself (ExportImporter.call).
_SPECIAL = {"aten::_assert_scalar", "aten::_local_scalar_dense", "aten::item"}

# Ops that only inform the tracer (range constraints of unbacked sizes,
# metadata asserts that hold by construction): no code.
_NO_CODE = {"aten::_assert_tensor_metadata", "aten::sym_constrain_range",
            "aten::sym_constrain_range_for_size"}


class ExportImporter(Builder):
    """Walks an ExportedProgram's graph (after `run_decompositions`)."""

    def __init__(self, program, inputs: list[TensorVal | ScalarVal]):
        super().__init__()
        self.program = program
        self.inputs = inputs
        self.values: dict[torch.fx.Node, Any] = {}
        self.node: Optional[torch.fx.Node] = None
        self.outer: list[torch.fx.Node] = []  # the cond / while_loop nodes around

    # -- errors ---------------------------------------------------------------
    def fail(self, message: str) -> UnsupportedError:
        node = self.node
        if node is None:
            return UnsupportedError(message)
        # The innermost frame of the model's own code: not a generated graph
        # (`<eval_with_key>`), not PyTorch's, not the capture's run time; for
        # a node of a cond / while_loop graph without one, its cond's.
        location = None
        for traced in [node] + self.outer[::-1]:
            location = _user_frame(traced.meta.get("stack_trace") or "")
            if location:
                break
        location = location or "<graph>"
        what = _kind(node.target) if hasattr(node.target, "_schema") else str(node.target)
        return UnsupportedError(f"{location}: {what}: {message}")

    # -- values ---------------------------------------------------------------
    def get(self, value: Any) -> Any:
        """The importer's value for an FX argument: a node's value, or a
        Python constant as TorchScript would have it."""
        if isinstance(value, torch.fx.Node):
            if value not in self.values:
                raise self.fail(f"value {value.name} is not available")
            return self.values[value]
        if value is None or isinstance(value, (torch.device, torch.layout,
                                               torch.memory_format)):
            return NoneVal()
        if isinstance(value, torch.dtype):
            dtype = from_torch(value)
            if dtype is None or dtype.scalar_type is None:
                raise self.fail(f"dtype {value} is not supported")
            return ScalarVal("i64", None, dtype.scalar_type)
        if isinstance(value, bool):
            return ScalarVal("i1", None, value)
        if isinstance(value, int):
            return ScalarVal("i64", None, value)
        if isinstance(value, float):
            return ScalarVal("f64", None, value)
        if isinstance(value, str):
            return ScalarVal("str", None, value)
        if isinstance(value, (list, tuple)):
            return ListVal([self.get(v) for v in value])
        raise self.fail(f"argument of type {type(value).__name__} is not supported")

    # -- driver ---------------------------------------------------------------
    def run(self, name: str = "forward") -> str:
        from torch.export.graph_signature import InputKind

        graph_module = self.program.graph_module
        specs = self.program.graph_signature.input_specs
        placeholders = [n for n in graph_module.graph.nodes if n.op == "placeholder"]
        args, user = [], 0
        for node, spec in zip(placeholders, specs):
            self.node = node
            if spec.kind == InputKind.USER_INPUT:
                if user >= len(self.inputs):
                    raise UnsupportedError("the program takes more inputs than were given")
                val = self.inputs[user]
                val.name = f"%arg{user}"
                args.append(f"%arg{user}: {val.type}")
                self.values[node] = val
                user += 1
            elif spec.kind in (InputKind.PARAMETER, InputKind.BUFFER,
                               InputKind.CONSTANT_TENSOR):
                tensor = (self.program.state_dict.get(spec.target)
                          if spec.target in self.program.state_dict
                          else self.program.constants[spec.target])
                self.values[node] = self.constant_tensor(tensor.detach())
            else:
                raise self.fail(f"program inputs of kind {spec.kind.name} are not supported")
        if user != len(self.inputs):
            raise UnsupportedError(f"forward takes {user} inputs, {len(self.inputs)} "
                                   "example inputs given")
        results = self.import_graph(graph_module, skip_placeholders=True)
        return self.entry_function(name, args, results)

    def import_graph(self, graph_module, args: list = (), skip_placeholders=False) -> list:
        """Imports the nodes of `graph_module` (its placeholders bound to
        `args` unless already bound) and returns its outputs."""
        nodes = list(graph_module.graph.nodes)
        placeholders = [n for n in nodes if n.op == "placeholder"]
        if not skip_placeholders:
            if len(placeholders) != len(args):
                raise self.fail(f"a graph of {len(placeholders)} inputs called with {len(args)}")
            for node, val in zip(placeholders, args):
                self.values[node] = val
        for node in nodes:
            self.node = node
            if node.op in ("placeholder", "get_attr"):
                continue
            if node.op == "output":
                out = node.args[0]
                out = list(out) if isinstance(out, (list, tuple)) else [out]
                return [self.get(v) for v in out]
            if node.op != "call_function":
                raise self.fail(f"graph nodes of kind {node.op} are not supported")
            self.values[node] = self.call(graph_module, node)
        raise self.fail("the graph has no output")

    def call(self, graph_module, node: torch.fx.Node) -> Any:
        target = node.target
        if target is operator.getitem:
            seq, index = self.get(node.args[0]), node.args[1]
            if not isinstance(seq, (TupleVal, ListVal)):
                raise self.fail("indexing a value that is not a tuple or list")
            return seq.items[index]
        if target is torch.ops.higher_order.cond:
            return self.cond(graph_module, node)
        if target is torch.ops.higher_order.while_loop:
            return self.while_loop(graph_module, node)
        if isinstance(target, torch._ops.OpOverload) and _kind(target) in _NO_CODE:
            return TupleVal([])
        if target is torch.ops.aten._assert_scalar.default:
            return self.assert_scalar(node)
        if target in (torch.ops.aten._local_scalar_dense.default, torch.ops.aten.item.default):
            return self.item(node)
        if target is getattr(torch, "sym_sum", None):  # a sum of sizes
            terms = [self.get(a) for a in node.args[0]]
            return functools.reduce(lambda a, b: _scalar_binary(self, "add", a, b), terms,
                                    ScalarVal("i64", None, 0))
        if target in _OPERATORS:
            kind, args, rebuild = _OPERATORS[target], list(node.args), None
        elif isinstance(target, torch._ops.OpOverload):
            kind, args = _kind(target), _schema_args(target, node)
            kind, args, rebuild = self.adapt(kind, args)
        else:
            raise self.fail("unsupported operation")
        handler = HANDLERS.get(kind)
        if handler is None:
            raise self.fail("unsupported operation")
        try:
            out = handler(self, _Node(kind, args))
        except (AttributeError, TypeError, ValueError, IndexError, KeyError) as error:
            # A use of the op its handler does not expect: located, not a
            # Python error.
            raise self.fail(f"this use of the op is not supported "
                            f"({type(error).__name__}: {error})") from error
        if isinstance(out, list):
            out = out[0] if len(out) == 1 else TupleVal(out)
        return rebuild(out) if rebuild else out

    def assert_scalar(self, node: torch.fx.Node) -> Any:
        """A check torch.export asked for (`u0 >= 0` of a size only known at
        run time, a torch._check): a run-time check of the compiled code."""
        from dyn.frontend.torchscript import _mlir_string

        ok, message = self.get(node.args[0]), node.args[1]
        if isinstance(ok, ScalarVal) and ok.const is not None:
            if not ok.const:
                raise self.fail(f"the model always fails its check: {message}")
            return TupleVal([])
        ok = self.scalar(ok, "i1")
        self.e.emit(f"cf.assert {ok.name}, {_mlir_string(f'RuntimeError: {message}')}")
        return TupleVal([])

    def item(self, node: torch.fx.Node) -> Any:
        """Tensor.item() (`u0` in the program): the number, at run time."""
        value = node.meta.get("val")
        kind = ("i1" if isinstance(value, (bool, torch.SymBool)) else
                "f64" if isinstance(value, (float, torch.SymFloat)) else "i64")
        return self.scalar(self.get(node.args[0]), kind)

    @staticmethod
    def adapt(kind: str, args: list):
        if kind in _ADAPTERS:
            handler_kind, rewrite, rebuild = _ADAPTERS[kind]
            return handler_kind, rewrite(args), rebuild
        return kind, args, None

    # -- control flow -----------------------------------------------------------
    def region(self, graph_module, args: list) -> tuple[list, list]:
        """Imports a subgraph into a fresh line buffer: (lines, outputs)."""
        saved = self.e.lines
        self.e.lines = []
        self.e.indent += 1
        outer = self.node
        self.outer.append(outer)
        try:
            outputs = self.import_graph(graph_module, args)
        finally:
            lines = self.e.lines
            self.e.lines = saved
            self.e.indent -= 1
            self.node = outer
            self.outer.pop()
        return lines, outputs

    def cond(self, graph_module, node: torch.fx.Node) -> Any:
        pred_node, true_node, false_node, operands = node.args
        pred = self.get(pred_node)
        ops = [self.get(v) for v in operands]
        true_gm = getattr(graph_module, true_node.target)
        false_gm = getattr(graph_module, false_node.target)
        if isinstance(pred, ScalarVal) and pred.const is not None:
            return TupleVal(self.import_graph(true_gm if pred.const else false_gm, ops))
        if isinstance(pred, TensorVal):
            pred = self.reshape(pred, []) if pred.rank else pred
            pred_type = pred.type
        else:
            pred = self.scalar(pred, "i1")
            pred_type = "i1"
        then_lines, then_out = self.region(true_gm, ops)
        else_lines, else_out = self.region(false_gm, ops)
        return TupleVal(emit_cond(self, pred, pred_type, then_lines, then_out,
                                  else_lines, else_out))

    def while_loop(self, graph_module, node: torch.fx.Node) -> Any:
        cond_node, body_node, carried_nodes, extra_nodes = node.args
        cond_gm = getattr(graph_module, cond_node.target)
        body_gm = getattr(graph_module, body_node.target)
        carried = [self.get(v) for v in carried_nodes]
        extra = [self.get(v) for v in extra_nodes]
        # torch.while_loop requires the body to return what it was given
        # (same shapes, dtypes): the carried types are the initial values'.
        types = [_carried_type(self, v) for v in carried]
        before_args = [_fresh_like(self, t) for t in types]
        after_args = [_fresh_like(self, t) for t in types]
        cond_lines, (pred,) = self.region(cond_gm, before_args + extra)
        body_lines, yielded = self.region(body_gm, after_args + extra)
        _result_types(self, types, yielded)  # same kinds and element types
        carried_types = [t.type for t in types]
        inits = [self.scalar(v, t.kind) if isinstance(t, ScalarVal) else self.tensor(v)
                 for v, t in zip(carried, types)]
        assign = [f"{a.name} = {v.name}" + (f" : {v.type}" if v.type != t else "")
                  for a, v, t in zip(before_args, inits, carried_types)]
        res = self.e.fresh("loop")
        head = f"{res}:{len(types)}" if len(types) > 1 else res
        signature = ", ".join(carried_types)
        self.e.emit(f"{head} = dyn.while ({', '.join(assign)}) : ({signature}) -> ({signature}) {{")
        # before: the cond graph; its 0-d bool tensor (or scalar) decides.
        self.e.lines.extend(cond_lines)
        self.e.lines, saved = [], self.e.lines
        self.e.indent += 1
        if isinstance(pred, TensorVal):
            pred = self.reshape(pred, []) if pred.rank else pred
            pred_text = f"{pred.name} : {pred.type}"
        else:
            pred = self.scalar(pred, "i1")
            pred_text = f"{pred.name} : i1"
        names = ", ".join(a.name for a in before_args)
        self.e.emit(f"dyn.condition({pred_text}) {names} : {signature}")
        tail = self.e.lines
        self.e.lines = saved
        self.e.lines.extend(tail)
        self.e.indent -= 1
        self.e.emit("} do {")
        decls = ", ".join(f"{a.name}: {t}" for a, t in zip(after_args, carried_types))
        self.e.emit(f"^bb0({decls}):")
        self.e.lines.extend(body_lines)
        self.e.lines, saved = [], self.e.lines
        self.e.indent += 1
        vals = [self.scalar(v, t.kind) if isinstance(t, ScalarVal) else self.tensor(v)
                for v, t in zip(yielded, types)]
        self.e.emit("dyn.yield " + ", ".join(v.name for v in vals) + " : " +
                    ", ".join(v.type for v in vals))
        tail = self.e.lines
        self.e.lines = saved
        self.e.lines.extend(tail)
        self.e.indent -= 1
        self.e.emit("}")
        out = []
        for i, t in enumerate(types):
            name = f"{res}#{i}" if len(types) > 1 else res
            out.append(TensorVal(name, t.shape, t.elt) if isinstance(t, TensorVal)
                       else ScalarVal(t.kind, name))
        return TupleVal(out)


def input_specs(program, example_inputs) -> list[TensorVal | ScalarVal]:
    """The entry's argument types: each user input's fake value, a dim
    that torch.export keeps symbolic (a `torch.export.Dim`) is `?`."""
    from torch.export.graph_signature import InputKind

    nodes = [n for n in program.graph_module.graph.nodes if n.op == "placeholder"]
    specs = []
    for node, spec in zip(nodes, program.graph_signature.input_specs):
        if spec.kind != InputKind.USER_INPUT:
            continue
        fake = node.meta.get("val")
        if isinstance(fake, torch.Tensor):
            elt = elt_of(fake.dtype)
            if elt is None:
                raise TypeError(f"input {node.name} has unsupported dtype {fake.dtype}")
            shape = [s if isinstance(s, int) else None for s in fake.shape]
            specs.append(TensorVal("", shape, elt))
        elif isinstance(fake, bool):
            specs.append(ScalarVal("i1", ""))
        elif isinstance(fake, (int, torch.SymInt)):
            specs.append(ScalarVal("i64", ""))
        elif isinstance(fake, (float, torch.SymFloat)):
            specs.append(ScalarVal("f64", ""))
        else:
            raise TypeError(f"input {node.name} of type {type(fake).__name__} is not supported")
    return specs


def export_program(module: torch.nn.Module, example_inputs, dynamic_shapes=None):
    """torch.export (non-strict: Python that dynamo cannot trace still runs)
    decomposed to Core ATen.

    Traced size-obliviously: by default torch.export assumes that dynamic
    sizes are >= 2 (and specializes a dim whose example size is 0 or 1),
    and its run-time checks would then make the compiled code reject a
    batch of one. dyn's `?` dims hold any size. (dyn.compile also traces an
    example's size-1 dynamic dims at size 2: some decompositions bake an
    example's 1 in even size-obliviously.)"""
    import torch.fx.experimental._config as fx_config

    try:
        oblivious = fx_config.patch(backed_size_oblivious=True)
    except (AttributeError, KeyError):  # an older PyTorch 2
        import contextlib
        oblivious = contextlib.nullcontext()
    # Loops that exit early are unrolled into nested conds, which dynamo
    # traces recursively (about 40 frames per level).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        with oblivious:
            program = torch.export.export(module, tuple(example_inputs),
                                          dynamic_shapes=dynamic_shapes, strict=False)
            return program.run_decompositions()
    finally:
        sys.setrecursionlimit(limit)
