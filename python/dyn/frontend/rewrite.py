"""Capture Python control flow on tensors for torch.export, by rewriting
forward methods at the source level (as DyCL rewrites programs).

torch.export cannot trace Python control flow whose condition is a tensor
(`GuardOnDataDependentSymNode`: it would have to pick one path), and it
unrolls a `for` loop over a dynamic size at the example's trip count. This
module rewrites the forward methods of a module and of its submodules so
that such control flow becomes `torch.cond` / `torch.while_loop`, which
torch.export keeps and dyn imports as `dyn.cond` / `dyn.while`:

* `if test: A else: B` that falls through (assigns variables):

      def __dyn_then_12(x, ...): A; return (x,)
      def __dyn_else_12(x, ...): B; return (x,)
      (x,) = __dyn_rt.cond(test, __dyn_then_12, __dyn_else_12, ...)

* a loop that breaks or continues from inside an `if` (and does not
  return) keeps exit flags instead (_desugar_exits): the `if` sets a flag,
  what follows it runs under `if go(flag)`, the loop helpers stop on it;
* an `if` whose branch returns, and the loops that hold one, in
  continuation-passing style: the statements after the `if`
  (or the loop) become a function `__dyn_rest_N` that both paths call, an
  iteration of such a loop becomes a call of the function `__dyn_loop_N`
  for the next one, so that every path ends in a `return` and the `if`
  becomes `return __dyn_rt.branch(test, then, else, ...)`: an early exit
  inside a loop over layers is a chain of nested conds, one per iteration
  that may exit;
* `for i in range(...)` -> `__dyn_rt.for_range`, and `while test:` ->
  `__dyn_rt.while_` (torch.while_loop once a bound, condition or flag is a
  tensor or symbolic; a carried tensor that grows steadily rides in a
  buffer sized by the trip bound, see _grown_while_loop);
* `int(t)`, `float(t)`, `bool(t)` and `t.item()` of a tensor keep the value
  a 0-d tensor while tracing (a Python number would have to be a guess),
  and `seq[t]`, a list of modules (or numbers) indexed by such a tensor,
  calls the one it selects through a chain of conds (routing by `.item()`).

Every run-time helper (`__dyn_rt.*`) does exactly what Python does when its
condition, bound or index is a Python value (`if self.training:`, a shape
check, `range(3)`), and calls torch.cond / torch.while_loop only when it is
a tensor or a symbolic size: the rewritten program means what the original
means. Generated functions take every variable of the rewritten function as
a parameter, so that scopes are never an issue; a variable is bound from
the start of `forward`, to `UNDEFINED` until it has a value (reading one
before it is assigned gives that marker, not Python's UnboundLocalError).

What cannot be captured is a located `UnsupportedError` (file:line of the
model's source) while tracing: a `while` on a tensor whose body returns, a
`for` over a dynamic range that does, a loop returning early on a tensor
for more than MAX_UNROLLED iterations, a carried tensor changing shape
other than by growing one dim steadily (or growing without a bound), a
branch that yields or declares globals, values other than tensors and
numbers crossing a cond.

The rewrite works on a deep copy: the caller's module is not modified.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import inspect
import operator
import textwrap
import types
from typing import Any, Callable, Optional

import torch
import torch.nn as nn
import torch.utils._pytree as pytree

from dyn.frontend.values import UnsupportedError

__all__ = ["capture_control_flow", "rewrite_source"]

_PREFIX = "__dyn_"
# The flags a loop that breaks or continues on a tensor keeps (see
# _desugar_exits): variables like the model's own, carried by conds and loops.
_FLAG = _PREFIX + "flag_"

# How many iterations of a loop that exits early on a tensor are unrolled
# into nested conds before the rewrite gives up (torch.export 2.15 takes
# about 5 s at depth 4, 30 s at 12 and 60 s at 16 to export such a program).
MAX_UNROLLED = 12


class _Undefined:
    """A variable that had no value at that point."""

    def __repr__(self) -> str:
        return "<undefined>"


UNDEFINED = _Undefined()


# ----------------------------------------------------------------------------
# Run time (what the rewritten code calls, as `__dyn_rt`)
# ----------------------------------------------------------------------------
def _tracing() -> bool:
    """Whether torch.export (or dynamo, which traces the branches of
    torch.cond: checked first, it folds to a constant there) is tracing
    the current call."""
    if torch.compiler.is_compiling():
        return True
    from torch._guards import detect_fake_mode
    return detect_fake_mode() is not None


def _symbolic(v: Any) -> bool:
    return isinstance(v, (torch.SymInt, torch.SymFloat, torch.SymBool))


def _number_tensor(v: Any, where: str, what: str) -> torch.Tensor:
    """A value that crosses a cond or a loop as a tensor: a tensor, or a
    Python number as a 0-d tensor of its kind."""
    if isinstance(v, torch.Tensor):
        return v
    if isinstance(v, bool):
        return torch.full((), v, dtype=torch.bool)
    if isinstance(v, (int, torch.SymInt)):
        return torch.full((), v, dtype=torch.int64)
    if isinstance(v, (float, torch.SymFloat)):
        return torch.full((), v, dtype=torch.float64)
    raise UnsupportedError(f"{where}: {what} holds a {type(v).__name__}: only tensors and "
                           "numbers can cross a data-dependent branch or loop")


def _pred(test: torch.Tensor, where: str) -> torch.Tensor:
    if test.numel() != 1:  # Python's bool() raises here too
        raise UnsupportedError(f"{where}: the condition is a tensor of shape "
                               f"{tuple(test.shape)}: it must hold one value")
    test = test.reshape(())
    return test if test.dtype == torch.bool else test != 0


def _cond(test: torch.Tensor, then_fn: Callable, else_fn: Callable, where: str,
          what: str) -> Any:
    """torch.cond of two functions without arguments whose results are
    pytrees of tensors and numbers (numbers become 0-d tensors)."""
    if not _tracing():  # eager: Python's `if` (torch.cond would compile)
        return then_fn() if bool(test) else else_fn()

    def wrap(fn: Callable) -> Callable:
        # torch.cond refuses a branch that returns one of its inputs (a
        # block that is skipped returns `x`): results are copies, which
        # dyn's import drops again (clone is the identity there). Branches
        # are traced by dynamo: no side effects here.
        return lambda: pytree.tree_map(lambda v: _number_tensor(v, where, what).clone(), fn())

    try:
        return torch.cond(_pred(test, where), wrap(then_fn), wrap(else_fn), ())
    except UnsupportedError:
        raise
    except Exception as error:  # torch's own message, with the line
        _reraise_inner(error)
        raise UnsupportedError(f"{where}: {what} could not become torch.cond: "
                               f"{type(error).__name__}: {_first_lines(error)}") from error


def _reraise_inner(error: BaseException) -> None:
    """Raises the UnsupportedError of a nested construct that dynamo (tracing
    a branch) wrapped into its own error, if there is one."""
    seen = error
    while seen is not None:
        if isinstance(seen, UnsupportedError):
            raise seen
        seen = seen.__cause__ or seen.__context__
    text = str(error)
    marker = 'raised exception UnsupportedError("'
    if marker in text:
        inner = text.split(marker, 1)[1].split('")', 1)[0]
        raise UnsupportedError(inner.encode().decode("unicode_escape")) from error


def _first_lines(error: Exception, n: int = 6) -> str:
    lines = [ln for ln in str(error).splitlines() if ln.strip()]
    return "\n".join(lines[:n])


class _Unbounded(UnsupportedError):
    """A loop that grows a tensor without a bound on its trip count."""


def _all(*tests: Any) -> Any:
    """`a and b and ...` of loop conditions that may be Python bools,
    symbolic bools (a bound on a symbolic size) or tensors: a tensor if one
    is (inside torch.while_loop, where the exit flag is one)."""
    if not any(isinstance(t, torch.Tensor) for t in tests):
        for t in tests:
            if not t:
                return t
        return tests[-1]
    # Dynamo sees a SymBool as a bool: every one becomes a tensor.
    tensors = [_pred(t, "a loop condition") if isinstance(t, torch.Tensor)
               else torch.full((), t, dtype=torch.bool) for t in tests]
    return functools.reduce(torch.logical_and, tensors)


def _growth(body: Callable, init: tuple, names: tuple, where: str,
            what: str) -> dict[int, tuple[int, int]]:
    """The carried tensors that one iteration grows, {position: (dim, by)}:
    torch.while_loop carries fixed shapes, and a decoder that appends a
    token per step (`tokens = torch.cat([tokens, t])`) does not. One
    iteration is run on the tracer's fake tensors, outside the graph, to
    see (only when the loop carries a tensor)."""
    from torch.fx.experimental.proxy_tensor import disable_proxy_modes_tracing

    if not any(isinstance(v, torch.Tensor) for v in init):
        return {}
    with disable_proxy_modes_tracing():
        try:
            out = body(*[v.clone() if isinstance(v, torch.Tensor) else v for v in init])
        except Exception:
            return {}  # torch.while_loop's own tracing reports it
    growth = {}
    for k, (n, a, b) in enumerate(zip(names, init, out)):
        if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or \
                a.shape == b.shape:
            continue
        differ = [d for d in range(a.dim()) if b.dim() == a.dim() and
                  not _same_size(a.shape[d], b.shape[d])]
        by = b.shape[differ[0]] - a.shape[differ[0]] if len(differ) == 1 else None
        by = _constant(by)
        if a.dtype != b.dtype or by is None or by <= 0:
            raise UnsupportedError(
                f"{where}: {what} changes the shape of `{n}` from {tuple(a.shape)} to "
                f"{tuple(b.shape)}: torch.while_loop carries fixed shapes, and only a tensor "
                "growing along one dim by the same amount each iteration (torch.cat) is "
                "captured")
        growth[k] = (differ[0], by)
    return growth


def _same_size(a: Any, b: Any) -> bool:
    diff = _constant(a - b)
    return diff == 0


def _constant(v: Any) -> Optional[int]:
    """v as a Python int if it is one (a symbolic difference that
    simplifies to a number), else None."""
    if isinstance(v, int):
        return v
    if isinstance(v, torch.SymInt) and v.node.expr.is_number:
        return int(v.node.expr)
    return None


def _grown_while_loop(cond: Callable, body: Callable, init: tuple, names: tuple,
                      growth: dict, trips: Any, where: str, what: str) -> tuple:
    """torch.while_loop of a loop whose carried tensors `growth` grow (see
    _growth): each becomes a buffer of its size after the last possible
    iteration and its current length, an int the loop carries; the body
    sees, and the loop returns, the filled part. The lengths are unbacked
    ints for torch.export, checked at run time to stay in the buffer."""
    from torch._higher_order_ops.while_loop import while_loop

    if trips is None:
        n = names[next(iter(growth))]
        raise _Unbounded(
            f"{where}: {what} grows `{n}` and has no bound on its trip count that a buffer "
            "could be sized by: bound it with `for _ in range(limit)` (and break)")
    caps, buffers = {}, list(init)
    for k, (d, by) in growth.items():
        x = init[k]
        caps[k] = x.shape[d] + by * trips
        pad = list(x.shape)
        pad[d] = by * trips
        full = list(x.shape)
        full[d] = caps[k]
        # zeros of the full size, then the initial part (contiguous strides
        # from the sizes, as the body's buffers have)
        buffers[k] = x.new_zeros(full).slice_scatter(x, d, 0, x.shape[d])
    count = len(init)

    def filled(s: tuple) -> list:
        parts, lengths = list(s[:count]), s[count:]
        # (the buffer's own size is its cap: a symbolic cap from outside
        # would be a free symbol inside the loop's graphs)
        for (k, (d, _)), n in zip(growth.items(), lengths):
            torch._check(n >= 0)
            torch._check(n <= parts[k].shape[d])
            parts[k] = parts[k].narrow(d, 0, n)
        return parts

    def grown_cond(*s):
        return cond(*filled(s))

    def grown_body(*s):
        out, lengths = list(body(*filled(s))), []
        for k, (d, _) in growth.items():
            n = out[k].shape[d]
            torch._check(n <= s[k].shape[d])
            # Back into a buffer of exactly the carried shape (n plus the
            # rest would be a sum of symbols torch.while_loop cannot match):
            # the filled part, then anything (never read past the length),
            # through aten.copy, whose result is laid out exactly as the
            # carried buffer (whose strides may be symbols of their own).
            out[k] = torch.ops.aten.copy.default(
                s[k], torch.cat([out[k], s[k]], d).narrow(d, 0, s[k].shape[d]))
            lengths.append(n)
        return tuple(out) + tuple(lengths)

    lengths = tuple(init[k].shape[d] for k, (d, _) in growth.items())
    return tuple(filled(tuple(while_loop(grown_cond, grown_body, tuple(buffers) + lengths))))


class _Choice:
    """`seq[i]` for a list of modules (or callables) and a tensor `i`:
    calling it calls the selected element, through a chain of conds."""

    def __init__(self, seq: list, index: torch.Tensor, where: str):
        self.seq, self.index, self.where = seq, index.reshape(()), where

    def __call__(self, *args, **kwargs):
        def pick(j: int):
            if j == len(self.seq) - 1:
                return self.seq[j](*args, **kwargs)
            return _cond(self.index == j, lambda: self.seq[j](*args, **kwargs),
                         lambda: pick(j + 1), self.where, "indexing a list by a tensor")
        return pick(0)


class _Runtime:
    UNDEFINED = UNDEFINED

    # -- if -------------------------------------------------------------------
    @staticmethod
    def defined_after(values: tuple, names: tuple, outs: tuple, both: tuple) -> tuple:
        """Of the variables an `if` assigns (`outs`), those defined after it:
        assigned by both branches (`both`) or with a value before."""
        before = dict(zip(names, values))
        return tuple(n for n in outs if n in both or before.get(n, UNDEFINED) is not UNDEFINED)

    @staticmethod
    def cond(test: Any, then_fn: Callable, else_fn: Callable, values: tuple,
             outs: tuple, defined_after: tuple, where: str) -> tuple:
        """An `if` that falls through: the branches return the values of
        `outs` (the variables they assign)."""
        if not isinstance(test, torch.Tensor):
            return (then_fn if test else else_fn)(*values)
        # Variables that one branch assigns and that had no value before
        # stay unbound afterwards (as in Python when the other branch runs).
        keep = [i for i, n in enumerate(outs) if n in defined_after]

        def branch(fn: Callable) -> Callable:
            return lambda: tuple(fn(*values)[i] for i in keep)

        results = _cond(test, branch(then_fn), branch(else_fn), where,
                        "the `if` on a tensor")
        out: list = [UNDEFINED] * len(outs)
        for i, r in zip(keep, results):
            out[i] = r
        return tuple(out)

    @staticmethod
    def branch(test: Any, then_fn: Callable, else_fn: Callable, values: tuple,
               depth: int, where: str) -> Any:
        """An `if` whose paths both end the function (continuation-passing
        form): returns what the function returns. `depth` is the iteration
        of the loop around it (its conds nest that deep)."""
        if not isinstance(test, torch.Tensor):
            return (then_fn if test else else_fn)(*values)
        if depth >= MAX_UNROLLED and _tracing():
            raise UnsupportedError(
                f"{where}: a loop that exits early on a tensor unrolls into one nested cond "
                f"per iteration, and this one reaches {MAX_UNROLLED} (torch.export's time "
                "grows faster than the depth): carry fixed shapes and exit through the "
                "loop condition (torch.while_loop), or use the TorchScript frontend")
        return _cond(test, lambda: then_fn(*values), lambda: else_fn(*values), where,
                     "the `if` on a tensor")

    @staticmethod
    def loop_test(test: Any, where: str) -> Any:
        """The condition of a `while` in continuation-passing form (one that
        breaks or returns): only a Python value can be unrolled."""
        if isinstance(test, torch.Tensor) and _tracing():
            raise UnsupportedError(
                f"{where}: a `while` loop whose condition is a tensor and whose body "
                "breaks, continues or returns cannot be captured: move the exit into "
                "the condition")
        return test

    @staticmethod
    def static_range(bounds: tuple, where: str) -> range:
        """The range of a `for` loop in continuation-passing form (one that
        breaks or returns), which is unrolled: its bounds must be known."""
        if any(isinstance(b, torch.Tensor) or _symbolic(b) for b in bounds):
            raise UnsupportedError(
                f"{where}: a `for` loop over a range of dynamic length that breaks, "
                "continues or returns cannot be captured (torch.while_loop has no early "
                "exit): bound it by a Python int or move the exit into a `while` condition")
        return range(*bounds)

    @staticmethod
    def static(test: Any, where: str, construct: str) -> Any:
        if isinstance(test, torch.Tensor) and _tracing():
            raise UnsupportedError(
                f"{where}: an `if` on a tensor whose branch {construct} cannot be "
                "captured: write it with torch.cond")
        return test

    # -- loops ----------------------------------------------------------------
    @staticmethod
    def go(*flags: Any) -> Any:
        """Whether no exit flag of a loop is set (see _desugar_exits): a
        Python bool, or a tensor once a flag is one."""
        tensors = []
        for f in flags:
            if isinstance(f, torch.Tensor):
                tensors.append(_pred(f, "a loop's exit flag"))
            elif f is not UNDEFINED and f:
                return False
        if not tensors:
            return True
        return ~functools.reduce(torch.logical_or, tensors)

    @staticmethod
    def stopped(flag: Any) -> bool:
        """Whether a Python loop is to stop: its exit flag is a Python True.
        A tensor flag keeps it going (its iterations then run under
        `go(flag)`), unless Python runs the model (not tracing)."""
        if isinstance(flag, torch.Tensor) and _tracing():
            return False
        return bool(flag)

    @staticmethod
    def for_range(bounds: tuple, body_fn: Callable, values: tuple, names: tuple,
                  carried: tuple, where: str, flag: Optional[str] = None) -> tuple:
        """`for i in range(*bounds)`: body_fn(i, *values) returns the values
        of `carried` (the variables the body assigns); returns them after
        the last iteration. `flag` names the loop's exit flag (a loop that
        breaks): it stops when the flag is set."""
        if not (all(isinstance(b, int) for b in bounds) or not _tracing()):
            start, stop, step = ((0, bounds[0], 1) if len(bounds) == 1 else
                                 (bounds[0], bounds[1], 1) if len(bounds) == 2 else bounds)
            return _Runtime._range_loop(start, stop, step, body_fn, list(values), names,
                                        carried, where, flag)
        state = list(values)
        steps = range(*bounds)
        for k, i in enumerate(steps):
            f = state[names.index(flag)] if flag is not None else False
            if isinstance(f, torch.Tensor) and _tracing():
                rest = steps[k:]
                if len(rest) > MAX_UNROLLED:  # the rest as one torch.while_loop
                    return _Runtime._range_loop(rest.start, rest.stop, rest.step, body_fn,
                                                state, names, carried, where, flag)
                # An iteration after a break on a tensor: a cond on the flag
                # (these conds follow each other, they do not nest).
                new = _Runtime.cond(
                    _Runtime.go(f), functools.partial(body_fn, i),
                    lambda *v: tuple(v[names.index(n)] for n in carried), tuple(state),
                    carried, _Runtime.defined_after(tuple(state), names, carried, ()), where)
            elif f:
                break
            else:
                new = body_fn(i, *state)
            _Runtime._update(state, names, carried, new)
        return tuple(state[names.index(n)] for n in carried)

    @staticmethod
    def _range_loop(start: Any, stop: Any, step: Any, body_fn: Callable, state: list,
                    names: tuple, carried: tuple, where: str, flag: Optional[str]) -> tuple:
        """The iterations start, start + step, ... before stop as one
        torch.while_loop (a symbolic or data-dependent bound, or a loop that
        breaks on a tensor)."""
        if isinstance(step, torch.Tensor) or _symbolic(step):
            raise UnsupportedError(f"{where}: a `range` whose step is not a Python int")
        if step == 0:
            raise ValueError("range() arg 3 must not be zero")
        if isinstance(start, torch.Tensor):
            start = _Runtime._scalar(start)
        stop = stop.reshape(()) if isinstance(stop, torch.Tensor) else stop
        trips = None  # at most this many iterations (growing buffers need it)
        if not isinstance(start, torch.Tensor) and not isinstance(stop, torch.Tensor):
            span = stop - start if step > 0 else start - stop
            trips = torch.sym_max(0, (span + abs(step) - 1) // abs(step))

        # A bound known only at run time (an unbacked size: the length a
        # previous loop produced) enters the loop's graphs as a tensor:
        # torch.while_loop lifts captured tensors, not unbacked ints.
        bound = _Runtime._as_tensor_if_unbacked(stop)

        def test(i, s):
            more = (i < bound) if step > 0 else (i > bound)
            return _all(more, _Runtime.go(s[names.index(flag)])) if flag else more

        return _Runtime._loop(test, lambda i, s: (i + step, body_fn(i, *s)), start,
                              tuple(state), names, carried, where, "the `for` loop", trips)

    @staticmethod
    def _as_tensor_if_unbacked(n: Any) -> Any:
        if isinstance(n, torch.SymInt):
            from torch.fx.experimental.symbolic_shapes import free_unbacked_symbols

            if free_unbacked_symbols(n):
                return torch.full((), n, dtype=torch.int64)
        return n

    @staticmethod
    def while_(test_fn: Callable, body_fn: Callable, values: tuple, names: tuple,
               carried: tuple, where: str, flag: Optional[str] = None,
               unrolled: Optional[Callable] = None) -> tuple:
        """`while test:`: test_fn(*values) is the condition, body_fn(*values)
        returns the values of `carried`; `flag` as in for_range. Python
        runs it while its condition and flag are Python values; from the
        iteration where one is a tensor on, it is a torch.while_loop.
        `unrolled(*values)` (a loop that breaks) runs it unrolled into
        nested conds instead, from the start, where torch.while_loop cannot
        carry what it grows: each path then keeps its Python values (a
        step count) and its own shapes."""
        state = list(values)

        def test(s):
            t = test_fn(*s)
            return _all(t, _Runtime.go(s[names.index(flag)])) if flag else t

        while True:
            t = test(state)
            if isinstance(t, torch.Tensor) and _tracing():
                try:
                    return _Runtime._loop(lambda i, s: test(s), lambda i, s: (i, body_fn(*s)),
                                          None, tuple(state), names, carried, where,
                                          "the `while` loop")
                except _Unbounded:
                    if unrolled is None:
                        raise
                break  # (outside the handler: its error is no cause of the next)
            if not t:
                return tuple(state[names.index(n)] for n in carried)
            _Runtime._update(state, names, carried, body_fn(*state))
        return unrolled(*values)

    @staticmethod
    def _update(state: list, names: tuple, carried: tuple, new: tuple) -> None:
        for n, v in zip(carried, new):
            state[names.index(n)] = v

    @staticmethod
    def _loop(cond_fn: Callable, body_fn: Callable, counter: Any, values: tuple,
              names: tuple, carried: tuple, where: str, what: str, trips: Any = None) -> tuple:
        """torch.while_loop over the carried variables that have a value
        before the loop (the others are the body's temporaries, unbound
        after it), and a counter unless it is None; `trips` bounds the
        iterations (None: unknown)."""
        live = [n for n in carried if values[names.index(n)] is not UNDEFINED]
        has_counter = counter is not None

        def state_of(s):
            state = list(values)
            for n, v in zip(live, s):
                state[names.index(n)] = v
            return state

        def cond(*s):
            i, s = (s[0], s[1:]) if has_counter else (None, s)
            return cond_fn(i, state_of(s))

        def body(*s):
            i, s = (s[0], s[1:]) if has_counter else (None, s)
            i, new = body_fn(i, state_of(s))
            out = dict(zip(carried, new))
            for n in live:
                if out[n] is UNDEFINED:
                    raise UnsupportedError(f"{where}: {what} unbinds `{n}`")
            return ((i,) if has_counter else ()) + tuple(out[n] for n in live)

        init = ((counter,) if has_counter else ()) + tuple(values[names.index(n)] for n in live)
        final = _Runtime._while_loop(cond, body, init, (("<counter>",) if has_counter else ())
                                     + tuple(live), where, what, trips)
        final = dict(zip(live, final[1:] if has_counter else final))
        return tuple(final.get(n, UNDEFINED) for n in carried)

    @staticmethod
    def _while_loop(cond_fn: Callable, body_fn: Callable, init: tuple, names: tuple,
                    where: str, what: str, trips: Any = None) -> tuple:
        from torch._higher_order_ops.while_loop import while_loop

        # Ints stay ints (torch.while_loop carries them as symbolic ints);
        # other numbers cross as 0-d tensors.
        init = tuple(v if isinstance(v, (int, torch.SymInt)) and not isinstance(v, bool)
                     else _number_tensor(v, where, f"`{n}`") for n, v in zip(names, init))

        def cond(*s):
            test = cond_fn(*s)
            return _pred(test, where) if isinstance(test, torch.Tensor) else test

        def body(*s):
            # A number the loop carries as a tensor stays one (a flag the
            # body resets to False).
            out = tuple(_number_tensor(o, where, f"`{n}`") if isinstance(v, torch.Tensor) else o
                        for n, v, o in zip(names, init, body_fn(*s)))
            return tuple(o.clone() if isinstance(o, torch.Tensor) else o for o in out)

        growth = _growth(body, init, names, where, what)
        try:
            if growth:
                return _grown_while_loop(cond, body, init, names, growth, trips, where, what)
            return tuple(while_loop(cond, body, init))
        except UnsupportedError:
            raise
        except Exception as error:
            _reraise_inner(error)
            raise UnsupportedError(f"{where}: {what} could not become torch.while_loop: "
                                   f"{type(error).__name__}: {_first_lines(error)}") from error

    # -- tensors standing in for Python numbers while tracing -----------------
    @staticmethod
    def int_(v: Any, *rest: Any) -> Any:
        if isinstance(v, torch.Tensor) and not rest and _tracing():
            return _Runtime._scalar(v).to(torch.int64)
        return builtins.int(v, *rest)

    @staticmethod
    def float_(v: Any) -> Any:
        if isinstance(v, torch.Tensor) and _tracing():
            return _Runtime._scalar(v).to(torch.float64)
        return builtins.float(v)

    @staticmethod
    def bool_(v: Any) -> Any:
        if isinstance(v, torch.Tensor) and _tracing():
            return _Runtime._scalar(v) != 0
        return builtins.bool(v)

    @staticmethod
    def item(v: Any) -> Any:
        if isinstance(v, torch.Tensor) and _tracing():
            return _Runtime._scalar(v)
        return v.item()

    @staticmethod
    def _scalar(v: torch.Tensor) -> torch.Tensor:
        if v.numel() != 1:
            v.item()  # PyTorch's own error
        return v.reshape(())

    @staticmethod
    def augmented(target: Any, value: Any, op: str) -> Any:
        """`target op= value`: out of place on a tensor while tracing (a
        value a cond or a loop carries is its input, which torch.cond and
        torch.while_loop forbid mutating); Python's in-place operator
        otherwise."""
        if isinstance(target, torch.Tensor) and _tracing():
            return getattr(operator, op)(target, value)
        return getattr(operator, f"i{op.rstrip('_')}")(target, value)

    @staticmethod
    def getitem(seq: Any, index: Any, where: str) -> Any:
        if isinstance(index, torch.Tensor) and not isinstance(seq, torch.Tensor) and \
                _tracing() and \
                index.dtype not in (torch.bool,) and index.numel() == 1 and \
                isinstance(seq, (list, tuple, nn.ModuleList, nn.Sequential)):
            items = list(seq)
            if items and all(isinstance(i, (int, float)) for i in items):
                return torch.tensor(items)[index.reshape(())]
            return _Choice(items, index, where)
        return seq[index]


# ----------------------------------------------------------------------------
# Source rewrite
# ----------------------------------------------------------------------------
def _walk(node: ast.AST):
    """ast.walk, without entering nested functions, lambdas or classes."""
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                  ast.ClassDef)):
            yield from _walk(child)


def _assigned(nodes: list[ast.stmt]) -> list[str]:
    """Names the statements bind in their own scope."""
    found: list[str] = []

    def add(name: str):
        if name not in found and (not name.startswith(_PREFIX) or name.startswith(_FLAG)):
            found.append(name)

    for n in nodes:
        for sub in _walk(n):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and sub is not n:
                add(sub.name)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                for alias in sub.names:
                    add((alias.asname or alias.name).split(".")[0])
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                add(sub.name)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(n.name)
    return found


def _loose_jump(stmts: list[ast.stmt]) -> bool:
    """Whether a `break` / `continue` in `stmts` belongs to the loop
    around them (not to a loop inside)."""
    for s in stmts:
        if isinstance(s, (ast.Break, ast.Continue)):
            return True
        if isinstance(s, (ast.For, ast.While, ast.AsyncFor)):
            if _loose_jump(s.orelse):
                return True
        elif isinstance(s, (ast.If, ast.With, ast.Try)):
            bodies = [getattr(s, f, []) for f in ("body", "orelse", "finalbody")]
            bodies += [h.body for h in getattr(s, "handlers", [])]
            if any(_loose_jump(b) for b in bodies):
                return True
    return False


def _returns(nodes: list[ast.stmt]) -> bool:
    return any(isinstance(sub, ast.Return) for n in nodes for sub in _walk(n))


def _unsupported(nodes: list[ast.stmt]) -> Optional[str]:
    for n in nodes:
        for sub in _walk(n):
            if isinstance(sub, (ast.Yield, ast.YieldFrom, ast.Await)):
                return "yields"
            if isinstance(sub, (ast.Global, ast.Nonlocal)):
                return "declares global names"
            if isinstance(sub, (ast.Try, ast.With, ast.AsyncWith)) and (
                    _returns([sub]) or _loose_jump([sub])):
                return "leaves a `try` or `with` block"
    return None


def _if_escapes(node: ast.If) -> bool:
    """An `if` that returns, or breaks / continues its enclosing loop."""
    return _returns([node]) or _loose_jump(node.body) or _loose_jump(node.orelse)


def _loop_escapes(node: ast.stmt) -> bool:
    """A loop that must be rewritten in continuation-passing form: it
    returns, or it breaks / continues from inside an `if` (a direct `break`
    always happens and stays Python's)."""
    if _returns([node]):
        return True
    return any(isinstance(sub, ast.If) and not getattr(sub, "dyn_exit", False) and
               any(isinstance(j, (ast.Break, ast.Continue)) for j in _walk(sub))
               for b in node.body for sub in _walk(b))


def _range_for(s: ast.stmt) -> bool:
    """`for name in range(...)`, which the loop helpers run."""
    return isinstance(s, ast.For) and isinstance(s.target, ast.Name) and \
        isinstance(s.iter, ast.Call) and isinstance(s.iter.func, ast.Name) and \
        s.iter.func.id == "range" and not s.iter.keywords and 1 <= len(s.iter.args) <= 3


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([_name(name, ast.Store())], value)


def _exit_check(flag: str) -> ast.If:
    """`if __dyn_rt.stopped(flag): break`: leaves a Python loop once the
    flag is a Python True (its test is never a tensor)."""
    check = ast.If(_call("stopped", [_name(flag)]), [ast.Break()], [])
    check.dyn_exit = True
    return check


def _flag_block(stmts: list[ast.stmt], brk: str, cnt: str) -> list[ast.stmt]:
    """`stmts` (a loop body) with `break` / `continue` setting `brk` / `cnt`,
    and every statement after an `if` that may set one run only while
    neither is set (`if __dyn_rt.go(brk, cnt): ...`)."""
    out: list[ast.stmt] = []
    for i, s in enumerate(stmts):
        if isinstance(s, (ast.Break, ast.Continue)):
            flag = brk if isinstance(s, ast.Break) else cnt
            out.append(ast.copy_location(_assign(flag, ast.Constant(True)), s))
            return out  # what follows is dead
        if isinstance(s, ast.If) and (_loose_jump(s.body) or _loose_jump(s.orelse)):
            s.body = _flag_block(s.body, brk, cnt) or [ast.Pass()]
            s.orelse = _flag_block(s.orelse, brk, cnt)
            out.append(s)
            rest = _flag_block(stmts[i + 1:], brk, cnt)
            if rest:
                guard = ast.If(_call("go", [_name(brk), _name(cnt)]), rest, [])
                out.append(ast.copy_location(guard, stmts[i + 1]))
            return out
        out.append(s)
    return out


def _desugar_exits(stmts: list[ast.stmt], count: list) -> list[ast.stmt]:
    """Loops that break or continue from inside an `if` (and do not
    return) rewritten to keep flags instead (inner loops first):

        brk = False                       brk = False
        for t in range(n):                for t in range(n):     # flag: brk
            A                               cnt = False
            if test: break        ->        A
            B                               if test: brk = True
        else: C                             if go(brk, cnt): B
                                          if go(brk): C

    so that an exit on a tensor is a cond setting a flag: the loop helpers
    stop on the flag (torch.while_loop tests it), and a Python loop over a
    list checks it after each iteration. When nothing is a tensor the
    flags are Python bools and this is what Python does."""
    out: list[ast.stmt] = []
    for s in stmts:
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(s, field, None), list) and \
                    not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                setattr(s, field, _desugar_exits(getattr(s, field), count))
        for handler in getattr(s, "handlers", []):
            handler.body = _desugar_exits(handler.body, count)
        if not (isinstance(s, (ast.For, ast.While)) and _loop_escapes(s) and
                not _returns([s]) and _unsupported([s]) is None):
            out.append(s)
            continue
        if isinstance(s, ast.While):
            # Unrolled instead when its trip count is unknown and it grows
            # a tensor (no buffer could be sized): see _Runtime.while_.
            s.dyn_original = copy.deepcopy(s)
        count[0] += 1
        brk = f"{_FLAG}brk_{s.lineno}_{count[0]}"
        cnt = f"{_FLAG}cnt_{s.lineno}_{count[0]}"
        body = [_assign(cnt, ast.Constant(False))] + _flag_block(s.body, brk, cnt)
        for new in body:
            _locate(new, s)
        if _range_for(s) or isinstance(s, ast.While):
            s.body, s.dyn_flag = body, brk  # the helper stops on the flag
        else:  # a Python loop: each iteration runs while the flag is unset
            guard = ast.copy_location(ast.If(_call("go", [_name(brk)]), body, []), s)
            s.body = [guard, ast.copy_location(_exit_check(brk), s)]
        out.append(ast.copy_location(_assign(brk, ast.Constant(False)), s))
        out.append(s)
        if s.orelse:
            out.append(ast.copy_location(ast.If(_call("go", [_name(brk)]), s.orelse, []), s))
            s.orelse = []
    return out


class _Expressions(ast.NodeTransformer):
    """int() / float() / bool() / .item() / seq[i] -> run-time helpers."""

    _CALLS = {"int": "int_", "float": "float_", "bool": "bool_"}

    def __init__(self, shadowed: set[str], where: Callable[[ast.AST], str]):
        self.shadowed = shadowed
        self.where = where

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        return node

    def visit_Call(self, node: ast.Call):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in self._CALLS and \
                node.func.id not in self.shadowed and len(node.args) >= 1 and not node.keywords \
                and not any(isinstance(a, ast.Starred) for a in node.args):
            return ast.copy_location(_call(self._CALLS[node.func.id], node.args), node)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "item" and \
                not node.args and not node.keywords:
            return ast.copy_location(_call("item", [node.func.value]), node)
        return node

    _AUGMENTED = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
                  ast.FloorDiv: "floordiv", ast.Mod: "mod", ast.Pow: "pow",
                  ast.MatMult: "matmul", ast.BitAnd: "and_", ast.BitOr: "or_",
                  ast.BitXor: "xor"}

    def visit_AugAssign(self, node: ast.AugAssign):
        self.generic_visit(node)
        op = self._AUGMENTED.get(type(node.op))
        if not isinstance(node.target, ast.Name) or op is None:
            return node
        value = _call("augmented", [_name(node.target.id), node.value, ast.Constant(op)])
        return ast.copy_location(ast.Assign([_name(node.target.id, ast.Store())], value), node)

    def visit_Subscript(self, node: ast.Subscript):
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load) and not isinstance(node.slice, (ast.Slice, ast.Tuple)) \
                and not isinstance(node.slice, ast.Constant):
            return ast.copy_location(
                _call("getitem", [node.value, node.slice, ast.Constant(self.where(node))]), node)
        return node


class _Statements:
    """The statement rewrite of one function (see the module docstring)."""

    def __init__(self, names: list[str], where: Callable[[ast.AST], str]):
        self.names = names  # every variable of the function
        self.where = where
        self.count = 0
        # The iteration of the innermost loop in continuation-passing form
        # at this point of the rewrite (how deep its conds nest).
        self.depth: ast.expr = ast.Constant(0)

    def fresh(self, kind: str, node: ast.AST) -> str:
        self.count += 1
        return f"{_PREFIX}{kind}_{node.lineno}_{self.count}"

    # -- helpers building AST -------------------------------------------------
    # Every variable is bound at every point (to UNDEFINED until it has a
    # value): values cross function boundaries as plain tuples of names,
    # which dynamo (tracing torch.cond's branches) reads like Python does.
    def values(self) -> ast.expr:
        return ast.Starred(self.lookup(self.names), ast.Load())

    def values_tuple(self) -> ast.expr:
        return self.lookup(self.names)

    @staticmethod
    def lookup(names: list[str]) -> ast.expr:
        return ast.Tuple([_name(n) for n in names], ast.Load())

    def function(self, name: str, body: list[ast.stmt], first: list[str] = ()) -> ast.FunctionDef:
        """def name(*first, *every variable): body."""
        params = list(first) + self.names
        args = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in params], vararg=None,
                             kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
        extra = {"type_params": []} if "type_params" in ast.FunctionDef._fields else {}
        return ast.FunctionDef(name=name, args=args, body=body or [ast.Pass()],
                               decorator_list=[], returns=None, **extra)

    def call_return(self, name: str, first: list[ast.expr] = ()) -> list[ast.stmt]:
        return [ast.Return(ast.Call(_name(name), list(first) + [self.values()], []))]

    def continuation(self, rest: list[ast.stmt], end, brk, cnt, node) -> tuple[list, list]:
        """(definitions, the statements that run `rest` and end the path)."""
        if not rest:
            return [], (end if end is not None else [ast.Return(ast.Constant(None))])
        name = self.fresh("rest", node)
        body = self.block(rest, end, brk, cnt)
        return [self.function(name, body)], self.call_return(name)

    # -- blocks ---------------------------------------------------------------
    def block(self, stmts: list[ast.stmt], end, brk=None, cnt=None) -> list[ast.stmt]:
        """Rewrites `stmts`; `end` is what ends the block when it falls off
        its end (None: fall through), `brk` / `cnt` what a `break` /
        `continue` become (None: they stay Python's)."""
        out: list[ast.stmt] = []
        for i, s in enumerate(stmts):
            start = len(out)
            try:
                if self.statement(s, stmts[i + 1:], out, end, brk, cnt):
                    return out
            finally:
                for new in out[start:]:  # generated code reports the source line
                    _locate(new, s)
        if end is not None:
            for new in end:
                out.append(copy.deepcopy(new))
        return out

    def statement(self, s: ast.stmt, rest: list[ast.stmt], out: list, end, brk, cnt) -> bool:
        """Appends the rewrite of `s` to `out`; True when that ends the
        block (`rest` has then been taken care of, or is dead)."""
        if isinstance(s, ast.Return):
            out.append(s)
            return True
        if isinstance(s, ast.Break) and brk is not None:
            out.extend(copy.deepcopy(brk))
            return True
        if isinstance(s, ast.Continue) and cnt is not None:
            out.extend(copy.deepcopy(cnt))
            return True
        if isinstance(s, ast.If) and getattr(s, "dyn_exit", False):
            out.append(s)  # a Python test (see _exit_check)
            return False
        if isinstance(s, ast.If):
            problem = _unsupported([s])
            if problem is not None:
                s.test = _call("static", [s.test, ast.Constant(self.where(s)),
                                          ast.Constant(problem)])
                out.append(s)
                return False
            if _if_escapes(s):
                out.extend(self.escaping_if(s, rest, end, brk, cnt))
                return True
            out.extend(self.falling_if(s))
            return False
        if isinstance(s, (ast.With, ast.Try)) and _unsupported([s]) is None:
            for field in ("body", "orelse", "finalbody"):
                if getattr(s, field, None):
                    setattr(s, field, self.block(getattr(s, field), None))
            for handler in getattr(s, "handlers", []):
                handler.body = self.block(handler.body, None)
            out.append(s)
            return False
        if isinstance(s, (ast.For, ast.While)) and _unsupported([s]) is None:
            if _loop_escapes(s):
                out.extend(self.escaping_loop(s, rest, end, brk, cnt))
                return True
            out.extend(self.loop(s))
            return False
        out.append(s)
        return False

    def falling_if(self, s: ast.If) -> list[ast.stmt]:
        where = self.where(s)
        then_names, else_names = _assigned(s.body), _assigned(s.orelse)
        outs = then_names + [n for n in else_names if n not in then_names]
        result = ast.Return(self.lookup(outs))
        then_name, else_name = self.fresh("then", s), self.fresh("else", s)
        then_def = self.function(then_name, self.block(s.body, [result]))
        else_def = self.function(else_name, self.block(s.orelse, [result]))
        # A variable stays defined after the `if` if both branches assign
        # it or it had a value before.
        both = [n for n in then_names if n in else_names]
        defined = _call("defined_after", [self.values_tuple(), _names_tuple(self.names),
                                          _names_tuple(outs), _names_tuple(both)])
        call = _call("cond", [s.test, _name(then_name), _name(else_name), self.values_tuple(),
                              _names_tuple(outs), defined, ast.Constant(where)])
        return [then_def, else_def] + self.assign_back(outs, call, s)

    def assign_back(self, outs: list[str], call: ast.expr, node: ast.AST) -> list[ast.stmt]:
        result = self.fresh("out", node)
        out: list[ast.stmt] = [ast.Assign([_name(result, ast.Store())], call)]
        if outs:
            out.append(ast.Assign([ast.Tuple([_name(n, ast.Store()) for n in outs],
                                             ast.Store())], _name(result)))
        return out

    def escaping_if(self, s: ast.If, rest, end, brk, cnt) -> list[ast.stmt]:
        defs, after = self.continuation(rest, end, brk, cnt, s)
        then_name, else_name = self.fresh("then", s), self.fresh("else", s)
        then_def = self.function(then_name, self.block(s.body, after, brk, cnt))
        else_def = self.function(else_name, self.block(s.orelse, after, brk, cnt))
        call = _call("branch", [s.test, _name(then_name), _name(else_name), self.values_tuple(),
                                copy.deepcopy(self.depth), ast.Constant(self.where(s))])
        return defs + [then_def, else_def, ast.Return(call)]

    def escaping_loop(self, s, rest, end, brk, cnt) -> list[ast.stmt]:
        """A loop as a recursive function: one call per iteration, its first
        parameter the iteration's number."""
        defs, after = self.continuation(rest, end, brk, cnt, s)
        loop, index = self.fresh("loop", s), self.fresh("i", s)
        nxt = self.call_return(loop, [ast.BinOp(_name(index), ast.Add(), ast.Constant(1))])
        outer, self.depth = self.depth, _name(index)
        try:
            if isinstance(s, ast.For):
                seq = self.fresh("seq", s)
                exhausted = self.block(s.orelse, after, brk, cnt)
                head = [ast.If(ast.Compare(_name(index), [ast.GtE()],
                                           [ast.Call(_name("len"), [_name(seq)], [])]),
                               exhausted, []),
                        ast.Assign([s.target], ast.Subscript(_name(seq), _name(index),
                                                             ast.Load()))]
                body = head + self.block(s.body, nxt, after, nxt)
                iterable = s.iter
                if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and \
                        iterable.func.id == "range" and not iterable.keywords:
                    iterable = _call("static_range", [ast.Tuple(iterable.args, ast.Load()),
                                                      ast.Constant(self.where(s))])
                start = [ast.Assign([_name(seq, ast.Store())],
                                    ast.Call(_name("list"), [iterable], []))]
            else:
                test = _call("loop_test", [s.test, ast.Constant(self.where(s))])
                body = [ast.If(ast.UnaryOp(ast.Not(), test),
                               self.block(s.orelse, after, brk, cnt), [])]
                body += self.block(s.body, nxt, after, nxt)
                start = []
        finally:
            self.depth = outer
        return defs + start + [self.function(loop, body, [index])] + \
            self.call_return(loop, [ast.Constant(0)])

    def loop(self, s) -> list[ast.stmt]:
        """A loop that does not escape: `range` loops and `while` loops
        become run-time helpers (torch.while_loop on tensors / symbolic
        sizes); other loops stay Python's, their bodies rewritten."""
        carried = [n for n in _assigned(s.body) if n in self.names]
        result = ast.Return(self.lookup(carried))
        where = ast.Constant(self.where(s))
        simple = not s.orelse and not _loose_jump(s.body)
        flag = ast.Constant(getattr(s, "dyn_flag", None))
        if simple and _range_for(s):
            index = self.fresh("i", s)
            bind = ast.Assign([_name(s.target.id, ast.Store())], _name(index))
            body = self.function(self.fresh("body", s), [bind] + self.block(s.body, [result]),
                                 [index])
            call = _call("for_range", [ast.Tuple(s.iter.args, ast.Load()), _name(body.name),
                                       self.values_tuple(), _names_tuple(self.names),
                                       _names_tuple(carried), where, flag])
            return [body] + self.assign_back(carried, call, s)
        if isinstance(s, ast.While) and simple:
            test = self.function(self.fresh("test", s), [ast.Return(s.test)])
            body = self.function(self.fresh("body", s), self.block(s.body, [result]))
            defs, unrolled = [test, body], ast.Constant(None)
            if hasattr(s, "dyn_original"):  # the loop unrolled, as a function
                # Its own flags are unused there (False when it ends).
                done = ast.Return(ast.Tuple([ast.Constant(False) if n.startswith(_FLAG)
                                             else _name(n) for n in carried], ast.Load()))
                stmts = self.escaping_loop(s.dyn_original, [], [done], None, None)
                defs.append(self.function(self.fresh("unrolled", s), stmts))
                unrolled = _name(defs[-1].name)
            call = _call("while_", [_name(test.name), _name(body.name), self.values_tuple(),
                                    _names_tuple(self.names), _names_tuple(carried), where,
                                    flag, unrolled])
            return defs + self.assign_back(carried, call, s)
        s.body = self.block(s.body, None)
        s.orelse = self.block(s.orelse, None)
        return [s]


def _locate(node: ast.AST, source: ast.AST) -> None:
    """Gives the generated nodes under `node` the line of `source`."""
    for sub in ast.walk(node):
        if "lineno" in sub._attributes and not hasattr(sub, "lineno"):
            # The statement's first line (its header: `if test:`), not its
            # whole span: tracebacks and torch.export's stack traces name it.
            sub.lineno = sub.end_lineno = source.lineno
            sub.col_offset = sub.end_col_offset = source.col_offset


def _name(n: str, ctx=None) -> ast.Name:
    return ast.Name(n, ctx or ast.Load())


def _rt_attr(attr: str) -> ast.Attribute:
    return ast.Attribute(_name(f"{_PREFIX}rt"), attr, ast.Load())


def _call(fn: str, args: list) -> ast.Call:
    return ast.Call(_rt_attr(fn), args, [])


def _names_tuple(names: list[str]) -> ast.Tuple:
    return ast.Tuple([ast.Constant(n) for n in names], ast.Load())


def rewrite_source(func: ast.FunctionDef, filename: str, line_offset: int) -> int:
    """Rewrites the function definition `func` in place; returns how many
    run-time helper calls it has (0: nothing to capture)."""
    def where(node: ast.AST) -> str:
        return f"{filename}:{node.lineno + line_offset}"

    params = [a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs]
    params += [a.arg for a in (func.args.vararg, func.args.kwarg) if a is not None]
    shadowed = set(params + _assigned(func.body))
    func.body = [_Expressions(shadowed, where).visit(s) for s in func.body]
    func.body = _desugar_exits(func.body, [0])
    names = params + [n for n in _assigned(func.body) if n not in params]
    statements = _Statements(names, where)
    body = statements.block(func.body, None)
    local = [n for n in names if n not in params]
    if local:  # every variable is bound from the start (see _Statements)
        body.insert(0, ast.Assign([_name(n, ast.Store()) for n in local], _rt_attr("UNDEFINED")))
    func.body = body
    func.decorator_list = []
    return sum(
        1 for n in ast.walk(func) if isinstance(n, ast.Call) and
        isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) and
        n.func.value.id == f"{_PREFIX}rt")


@functools.lru_cache(maxsize=None)
def _rewrite_function(fn: types.FunctionType) -> Optional[types.FunctionType]:
    """`fn` rewritten, or None when there is nothing to rewrite or its
    source cannot be had."""
    if fn.__code__.co_freevars:
        return None  # a closure (or super()): its cells cannot be rebuilt from source
    try:
        lines, first = inspect.getsourcelines(fn)
        filename = inspect.getsourcefile(fn) or "<unknown>"
    except (OSError, TypeError):
        return None
    tree = ast.increment_lineno(ast.parse(textwrap.dedent("".join(lines))), first - 1)
    func = tree.body[0]
    if not isinstance(func, ast.FunctionDef):
        return None
    if rewrite_source(func, filename, 0) == 0:
        return None
    tree = ast.fix_missing_locations(tree)
    code = compile(tree, filename, "exec")
    scope = dict(fn.__globals__)
    scope[f"{_PREFIX}rt"] = _Runtime
    exec(code, scope)  # noqa: S102 (the model's own source, rewritten)
    new = scope[func.name]
    new.__defaults__ = fn.__defaults__
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__wrapped_original__ = fn
    return new


def capture_control_flow(module: nn.Module) -> nn.Module:
    """A deep copy of `module` whose forward methods (its own and its
    submodules') are rewritten as described above."""
    module = copy.deepcopy(module)
    # An inference copy: torch.while_loop's autograd support refuses the
    # loop counters (ints) a loop carries when parameters require grad.
    for p in module.parameters():
        p.requires_grad_(False)
    for sub in module.modules():
        forward = type(sub).forward
        if not isinstance(forward, types.FunctionType) or forward is nn.Module.forward:
            continue
        if type(sub).__module__.startswith("torch."):
            continue  # PyTorch's own layers: traced as they are
        new = _rewrite_function(forward)
        if new is not None:
            sub.forward = types.MethodType(new, sub)
    return module
