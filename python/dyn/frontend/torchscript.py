"""Import a TorchScript graph into the dyn dialect.

The graph walker: blocks, values, lists and tuples, and control flow. The
module is scripted (`torch.jit.script`) and frozen (`torch.jit.freeze`),
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

import re
from typing import Any, Optional, Sequence

import torch

from dyn.frontend.builder import Builder
from dyn.frontend.registry import HANDLERS, handles, inputs
from dyn.frontend.values import (ListVal, NoneVal, ScalarVal, TensorVal, TupleVal,
                                 UninitializedVal, UnsupportedError, join_shapes)

__all__ = ["Importer", "UnsupportedError", "TensorVal", "ScalarVal"]


def _location(node: torch._C.Node) -> str:
    text = str(node)
    match = re.search(r"# (\S+:\d+:\d+)\s*$", text.strip().splitlines()[0])
    return match.group(1) if match else "<unknown>"


class Importer(Builder):
    """Walks a frozen TorchScript graph, one handler per node kind."""

    def __init__(self, graph: torch._C.Graph, inputs: list[TensorVal | ScalarVal],
                 omitted: int = 0):
        """`omitted`: how many trailing parameters of forward take their
        default None (`hx=None`, `mask=None`): not compiled-module inputs."""
        super().__init__()
        self.graph = graph
        self.values: dict[torch._C.Value, Any] = {}
        self.inputs = inputs
        self.omitted = omitted
        # The blocks being imported as regions (not inline), innermost last,
        # each with the outer values it carries because it updates them.
        self.regions: list[tuple[Any, set]] = []
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
        for value in params[len(params) - self.omitted:]:
            self.values[value] = NoneVal()
        params = params[:len(params) - self.omitted]
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
        return self.entry_function(name, args, results)

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
            try:
                outs = handler(self, node)
            except (AttributeError, TypeError, ValueError, IndexError, KeyError) as error:
                # A use of the op its handler does not expect (an operand of
                # another kind): a located diagnostic, not a Python error.
                raise self.fail(f"this use of the op is not supported "
                                f"({type(error).__name__}: {error})") from error
            if outs is None:
                outs = []
            if not isinstance(outs, (list, tuple)):
                outs = [outs]
            for value, val in zip(node.outputs(), outs):
                self.values[value] = val
            if _in_place(kind) and outs:
                self._mutate(node, outs[0])

    def _mutate(self, node, new: Any) -> None:
        """An in-place op (`y.add_(1)`, `relu_`, `x[0] = v`): later uses of
        the operand it updated see the update. The graph is not SSA there:
        the operand keeps its name, so it is rebound to the new value. An
        update of a select / slice view is written back into the tensor it
        views (tensor.insert_slice), up the chain of views; updates that
        would have to reach other tensors through other aliasing (another
        view, a view taken earlier) or out of a branch or loop are refused."""
        chain = []  # the select / slice views from the operand up to the base
        value = node.inputsAt(0)
        while value.node().kind() in _WRITABLE_VIEWS and \
                isinstance(self.values.get(value.node().inputsAt(0)), TensorVal):
            chain.append(value.node())
            value = value.node().inputsAt(0)
        base = value
        if base.node().kind() in _VIEWS:
            raise self.fail(f"an in-place update of a view ({base.node().kind()}): PyTorch "
                            "updates the viewed tensor too (write it out of place)")
        for v in [node.inputsAt(0)] + [n.inputsAt(0) for n in chain]:
            # A view taken earlier that is read after this update would
            # have to change with it.
            others = [u.user for u in v.uses() if u.user is not node and
                      u.user not in chain and u.user.kind() in _VIEWS and _before(u.user, node)]
            if any(not _before(use.user, node) and use.user is not node
                   for view in others for out in view.outputs() for use in out.uses()):
                raise self.fail("an in-place update of a tensor a view of which is read "
                                "later (the view would change too: write it out of place)")
        if self.regions:
            block, carried = self.regions[-1]
            if base not in carried and not _defined_inside(base, block):
                raise self.fail("an in-place update, inside a branch or loop, of a tensor "
                                "from outside it that the importer did not carry")
        from dyn.frontend.ops.indexing import write_view

        self.values[node.inputsAt(0)] = new
        for view in chain:
            whole = self.get(view.inputsAt(0))
            new = write_view(self, whole, new, view.kind(), inputs(self, view)[1:])
            self.values[view.inputsAt(0)] = new

    # -- regions ------------------------------------------------------------------
    def import_region(self, block, args: list = (), arg_names: Optional[list] = None,
                      outer: Sequence = (), outer_args: Sequence = ()):
        """Imports `block` into a fresh line buffer; returns (lines, yielded).
        `outer` are values from outside the block that it updates in place
        (`out[t] = h` in a loop): inside they are `outer_args`, and their
        values at the end are yielded after the block's own."""
        saved = self.e.lines
        self.e.lines = []
        self.e.indent += 1
        for value, val in zip(block.inputs(), args):
            self.values[value] = val
        before = {v: self.values.get(v) for v in outer}
        for value, val in zip(outer, outer_args):
            self.values[value] = val
        self.regions.append((block, set(outer)))
        try:
            self.import_block_nodes(block.nodes())
        finally:
            self.regions.pop()
        yielded = [self.get(v) for v in block.outputs()] + [self.values[v] for v in outer]
        self.values.update(before)  # outside, the values before the region
        lines = self.e.lines
        self.e.lines = saved
        self.e.indent -= 1
        return lines, yielded


# Ops that return a view of their first operand (in-place updates of those,
# or of a tensor one was taken of, would have to reach the other tensor).
_VIEWS = {"aten::select", "aten::slice", "aten::view", "aten::reshape", "aten::transpose",
          "aten::permute", "aten::squeeze", "aten::unsqueeze", "aten::expand",
          "aten::expand_as", "aten::narrow", "aten::t", "aten::as_strided", "aten::diagonal",
          "aten::unfold", "aten::view_as", "aten::flatten", "aten::chunk", "aten::split",
          "aten::unbind", "aten::detach", "aten::alias", "aten::movedim", "aten::__getitem__",
          "prim::ListUnpack"}


_WRITABLE_VIEWS = {"aten::select", "aten::slice"}


def _defined_inside(value, block) -> bool:
    b = value.node().owningBlock()
    while b is not None:
        if b == block:
            return True
        owner = b.owningNode()
        if owner is None:
            return False
        b = owner.owningBlock()
    return False


def _view_root(value):
    """The tensor a chain of select / slice views starts from."""
    while value.node().kind() in _WRITABLE_VIEWS:
        value = value.node().inputsAt(0)
    return value


def outer_updates(blocks) -> list:
    """Values defined outside `blocks` that in-place ops inside them update
    (directly or through select / slice views), in order: a region carries
    them (a loop's iterations, a branch's result) as TorchScript does not."""
    found: list = []

    def walk(block, top):
        for n in block.nodes():
            if _in_place(n.kind()) and n.inputsAt(0).type().kind() == "TensorType":
                root = _view_root(n.inputsAt(0))
                if not _defined_inside(root, top) and root not in found:
                    found.append(root)
            for b in n.blocks():
                walk(b, top)
    for block in blocks:
        walk(block, block)
    return found


def _in_place(kind: str) -> bool:
    """aten::add_ and the like (not the dunders, __and__)."""
    name = kind.split("::", 1)[-1]
    return kind.startswith("aten::") and name.endswith("_") and not name.endswith("__")


def _before(a, b) -> bool:
    """Whether node a runs before node b (a in the same block or outside
    b's)."""
    try:
        return a.isBefore(b)
    except RuntimeError:  # different blocks: a view taken in another region
        return True


# ----------------------------------------------------------------------------
# Constants, lists, tuples and statements
# ----------------------------------------------------------------------------

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


@handles("aten::warn")
def _statement(imp: Importer, node):
    """Statements without a value: warnings are dropped."""
    return []


@handles("aten::format")
def _format(imp: Importer, node):
    """str.format at import: the text, where its arguments are numbers
    known at import; else the template (an assert's message, which the
    run-time check reports as written)."""
    template, *args = inputs(imp, node)
    text = template.const
    if all(isinstance(a, ScalarVal) and a.const is not None for a in args):
        try:
            return ScalarVal("str", None, text.format(*(a.const for a in args)))
        except (IndexError, KeyError, ValueError):
            pass
    return ScalarVal("str", None, text)


@handles("aten::__is__", "aten::__isnot__")
def _is(imp: Importer, node):
    """`x is None` / `x is not None`, known at import (an omitted argument
    or an Optional value is None or it is not); `a is b` of tensors: whether
    they are one value of the graph."""
    a, b = inputs(imp, node)
    if isinstance(a, TensorVal) and isinstance(b, TensorVal):
        same = a.name == b.name  # one graph value (`query is key`), or two
    elif isinstance(a, NoneVal) or isinstance(b, NoneVal):
        same = isinstance(a, NoneVal) and isinstance(b, NoneVal)
    else:
        raise imp.fail("`is` between two values that are neither None nor tensors")
    return ScalarVal("i1", None, same if node.kind() == "aten::__is__" else not same)


@handles("prim::unchecked_cast")
def _unchecked_cast(imp: Importer, node):
    """Optional[T] refined to T after an `is not None` test."""
    return imp.get(node.input())


@handles("prim::Uninitialized")
def _uninitialized(imp: Importer, node):
    """The value a branch that raises (F.interpolate's checks) or returns
    early "yields": never read on that path."""
    return UninitializedVal()


@handles("prim::RaiseException")
def _raise(imp: Importer, node):
    """A raise that no data-dependent `if` guards (those become run-time
    checks in `prim::If`): it always happens, as the model's author wrote."""
    raise imp.fail(f"the model always raises: {_exception_message(imp, node)}")


def _exception_message(imp: Importer, node) -> str:
    """"ExceptionType: text" of a prim::RaiseException, as Python would
    print it (the Python runtime raises that type again)."""
    message = node.inputsAt(0)
    producer = message.node()
    if message not in imp.values and producer.kind() == "aten::format":
        # Formatted in the branch that raises (not imported): the template.
        template = producer.inputsAt(0)
        message = template if template in imp.values else None
    available = lambda v: v is not None and v in imp.values
    args = [imp.get(message) if available(message) else None] + \
        [imp.get(v) if available(v) else None for v in list(node.inputs())[1:]]
    text = args[0].const if isinstance(args[0], ScalarVal) and args[0].kind == "str" else None
    if text is None:
        text = "<message computed at run time>"
    kind = args[1].const if len(args) > 1 and isinstance(args[1], ScalarVal) else None
    if not kind:  # `assert`: the message already starts with its type
        return text if ":" in text.split(" ")[0] else f"Exception: {text}"
    return f"{kind.removeprefix('builtins.')}: {text}"


def _raising_node(block):
    """The prim::RaiseException a block always reaches, if any."""
    return next((n for n in block.nodes() if n.kind() == "prim::RaiseException"), None)


def _mlir_string(text: str) -> str:
    out = []
    for ch in text.encode():
        c = chr(ch)
        out.append(c if 32 <= ch < 127 and c not in '"\\' else f"\\{ch:02X}")
    return '"' + "".join(out) + '"'


# ----------------------------------------------------------------------------
# Control flow
# ----------------------------------------------------------------------------

def _result_types(imp: Importer, a: list, b: list) -> list:
    out = []
    for x, y in zip(a, b):
        # A value one branch leaves uninitialized (it returned early) has the
        # other branch's type; that branch yields a placeholder.
        if isinstance(x, UninitializedVal) and not isinstance(y, NoneVal):
            x = y
        elif isinstance(y, UninitializedVal) and not isinstance(x, NoneVal):
            y = x
        # A one-element tensor beside a number (`aten::Bool` of a tensor on
        # one side, a constant False on the other): a number on both sides.
        if isinstance(x, TensorVal) and isinstance(y, ScalarVal) and _one_element(x):
            x = ScalarVal(_scalar_kind(x.elt), "")
        elif isinstance(y, TensorVal) and isinstance(x, ScalarVal) and _one_element(y):
            y = ScalarVal(_scalar_kind(y.elt), "")
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


def _one_element(t: TensorVal) -> bool:
    return all(d == 1 for d in t.shape)


def _scalar_kind(elt: str) -> str:
    """The Python number a one-element tensor of `elt` reads as."""
    return "i1" if elt == "i1" else "f64" if elt.startswith(("f", "bf")) else "i64"


def _yield_line(imp: Importer, yielded: list, types: list) -> str:
    vals = []
    for v, t in zip(yielded, types):
        if isinstance(t, NoneVal):
            continue
        if isinstance(v, UninitializedVal):  # never read: any value of the type
            if isinstance(t, TensorVal):
                zero = imp.index(0)
                v = TensorVal(imp.e.op(f"tensor.empty({', '.join(zero for d in t.shape if d is None)}) "
                                       f": {t.type}"), t.shape, t.elt)
            else:
                v = ScalarVal(t.kind, None, 0)
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
    then_block, else_block = node.blocks()
    # `if cond: raise E(msg)` (and `assert cond, msg`): a run-time check
    # that fails the call with "E: msg"; the other branch runs inline.
    then_raise, else_raise = _raising_node(then_block), _raising_node(else_block)
    if then_raise is not None or else_raise is not None:
        raising = then_raise if then_raise is not None else else_raise
        message = _exception_message(imp, raising)
        ok = imp.scalar(pred, "i1")
        if then_raise is not None:
            true = imp.e.constant("1", "i1")
            ok = ScalarVal("i1", imp.e.op(f"arith.xori {ok.name}, {true} : i1"))
        if then_raise is not None and else_raise is not None:
            ok = ScalarVal("i1", imp.e.constant("0", "i1"))
        imp.e.emit(f"cf.assert {ok.name}, {_mlir_string(message)}")
        if then_raise is not None and else_raise is not None:
            raise imp.fail(f"the model always raises: {message}")
        block = else_block if then_raise is not None else then_block
        imp.import_block_nodes(block.nodes())
        return [imp.get(v) for v in block.outputs()]
    if isinstance(pred, TensorVal):
        pred = imp.reshape(pred, []) if pred.rank else pred
        pred_type = pred.type
    else:
        pred = imp.scalar(pred, "i1")
        pred_type = "i1"
    outer = outer_updates([then_block, else_block])
    current = [imp.get(v) for v in outer]
    then_lines, then_nested = imp.import_region(then_block, outer=outer, outer_args=current)
    else_lines, else_nested = imp.import_region(else_block, outer=outer, outer_args=current)
    results = emit_cond(imp, pred, pred_type, then_lines, then_nested, else_lines, else_nested)
    if outer:  # the tensors the branches updated in place: the cond's last results
        for value, val in zip(outer, results[len(results) - len(outer):]):
            imp.values[value] = val
        results = results[:len(results) - len(outer)]
    return results


def emit_cond(imp, pred, pred_type: str, then_lines: list, then_nested: list,
              else_lines: list, else_nested: list) -> list:
    """Emits the dyn.cond of two imported regions (their lines and the
    values they yield, nested as the graph had them) and returns its
    results in the same nesting. Shared by the graph walkers."""
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


# A loop that grows a Python list (a list comprehension, `sizes.append(...)`)
# with a trip count known at import is run at import time, up to this many
# iterations: lists exist only while importing.
MAX_UNROLLED_LIST_LOOP = 64


def _appends(block) -> bool:
    return any(n.kind() == "aten::append" or any(_appends(b) for b in n.blocks())
               for n in block.nodes())


def _tensor_free(block) -> bool:
    return all(all(v.type().kind() != "TensorType" for v in n.outputs()) and
               all(_tensor_free(b) for b in n.blocks()) for n in block.nodes())


def _unrolled(imp: Importer, node, trip: int, cond, carried: list) -> list:
    body = next(node.blocks())
    for i in range(trip):
        if not (isinstance(cond, ScalarVal) and cond.const is not None):
            raise imp.fail("a loop that appends to a list exits on a value known only at run time")
        if not cond.const:
            break
        for value, val in zip(body.inputs(), [ScalarVal("i64", None, i)] + carried):
            imp.values[value] = val
        imp.import_block_nodes(body.nodes())
        cond, *carried = [imp.get(v) for v in body.outputs()]
        imp.node = node
    return carried


@handles("aten::append")
def _append(imp: Importer, node):
    items, item = inputs(imp, node)
    if not isinstance(items, ListVal):
        raise imp.fail("append to a value that is not a list")
    items.items.append(item)
    return items


@handles("aten::list")
def _list_copy(imp: Importer, node):
    items = imp.get(node.input())
    if not isinstance(items, ListVal):
        raise imp.fail("list() of a value that is not a list")
    return ListVal(list(items.items))


@handles("prim::Loop")
def _loop(imp: Importer, node):
    args = inputs(imp, node)
    max_trip, init_cond, carried = args[0], args[1], args[2:]
    body = next(node.blocks())
    # (also a short loop over Python numbers only: size arithmetic, folded
    # or inline where the sizes are dynamic)
    numbers = isinstance(max_trip, ScalarVal) and max_trip.const is not None and \
        max_trip.const <= MAX_UNROLLED_LIST_LOOP and _tensor_free(body)
    if _appends(body) or numbers:
        trip = max_trip.const if isinstance(max_trip, ScalarVal) else None
        if trip is None or trip > MAX_UNROLLED_LIST_LOOP:
            raise imp.fail("a loop that appends to a list runs a number of times known only "
                           "at run time (or more than "
                           f"{MAX_UNROLLED_LIST_LOOP}): use torch.cat or torch.stack")
        return _unrolled(imp, node, int(trip), init_cond, list(carried))
    # Tensors from outside the loop that its body updates in place are
    # carried too (after the loop's own values).
    outer = outer_updates([body])
    own = len(carried)
    carried = list(carried) + [imp.get(v) for v in outer]
    # Loop-carried types: start from the initial values and widen (dims that
    # change become ?) until the body's yields fit.
    types = [_carried_type(imp, v) for v in carried]
    for _attempt in range(4):
        iv = ScalarVal("i64", imp.e.fresh("iv"))
        cond_arg = ScalarVal("i1", imp.e.fresh("go"))
        block_args = [_fresh_like(imp, t) for t in types]
        lines, yielded = imp.import_region(body, [iv] + block_args[:own], outer=outer,
                                           outer_args=block_args[own:])
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
    for value, val in zip(outer, out[own:]):
        imp.values[value] = val
    return out[:own]


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


# Every op family registers its handlers on import.
import dyn.frontend.ops  # noqa: E402,F401
