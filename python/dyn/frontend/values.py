"""The values the importer tracks while it walks a graph, and their types.

A `TensorVal` or `ScalarVal` names an SSA value of the module being written
(or, for a `ScalarVal` not yet materialized, holds a Python constant);
`ListVal` / `TupleVal` are the graph's lists and tuples, which exist only at
import time; `NoneVal` is `None`. Shapes are lists whose `None` entries are
dynamic dims.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from dyn.dtypes import from_torch

Shape = list  # list[Optional[int]]; None = dynamic


class UnsupportedError(NotImplementedError):
    """The importer met an op or construct it cannot translate."""


def elt_of(dtype) -> Optional[str]:
    """The element type of a torch dtype the importer handles (the ABI's
    types that numpy can hold), or None."""
    d = from_torch(dtype)
    return d.name if d is not None and d.numpy else None


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


class UninitializedVal(NoneVal):
    """TorchScript's prim::Uninitialized: what a branch that returns early
    or raises "yields" for a value that is never read on that path."""


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
