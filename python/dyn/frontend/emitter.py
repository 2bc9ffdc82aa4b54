"""MLIR text: fresh SSA names, nested line buffers, hoisted constants."""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Sequence

import numpy as np

from dyn.dtypes import BY_NAME


def float_literal(value: float) -> str:
    if math.isinf(value):
        return "0x7F800000" if value > 0 else "0xFF800000"
    return f"{float(value):.17e}"  # MLIR needs a digit before the exponent


class Emitter:
    """Writes MLIR text into nested line buffers (one per region)."""

    def __init__(self) -> None:
        self.counter = 0
        self.lines: list[str] = []
        self.indent = 1
        # (SSA name, function writing its line), written if used
        self.constants: list[tuple[str, Callable[[], str]]] = []
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
    def constant(self, attr: str | Callable[[], str], type_: str, hint: str = "c",
                 key: Any = None) -> str:
        """An arith.constant of `attr`, one per distinct `key` (default: the
        attribute's text). `attr` may be a function that writes it: called
        only if the constant is used (a frozen graph's weights that a
        handler replaces by a transposed copy are not written at all)."""
        key = ("arith", key if key is not None else attr, type_)
        if key not in self.constant_cache:
            name = self.fresh(hint)
            self.constants.append(
                (name, lambda: f"    {name} = arith.constant "
                               f"{attr() if callable(attr) else attr} : {type_}"))
            self.constant_cache[key] = name
        return self.constant_cache[key]

    def body(self) -> str:
        """The function body: the hoisted constants it uses, then its lines."""
        lines = "\n".join(self.lines)
        used = set(re.findall(r"%\w+", lines))
        constants = [text() for name, text in self.constants if name in used]
        return "\n".join(constants + [lines])

    def tosa_const(self, attr: str, type_: str) -> str:
        key = ("tosa", attr, type_)
        if key not in self.constant_cache:
            name = self.fresh("k")
            text = f'    {name} = "tosa.const"() <{{values = {attr} : {type_}}}> : () -> {type_}'
            self.constants.append((name, lambda: text))
            self.constant_cache[key] = name
        return self.constant_cache[key]

    def shape_const(self, dims: Sequence[int]) -> str:
        key = ("shape", tuple(dims))
        if key not in self.constant_cache:
            name = self.fresh("s")
            values = ", ".join(str(d) for d in dims)
            text = (f"    {name} = tosa.const_shape {{values = dense<[{values}]> : "
                    f"tensor<{len(dims)}xindex>}} : () -> !tosa.shape<{len(dims)}>")
            self.constants.append((name, lambda: text))
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
    # MLIR's hex form is the little-endian bytes of the element type.
    np_dtype = BY_NAME[elt].np_dtype.newbyteorder("<")
    data = np.ascontiguousarray(array).astype(np_dtype).tobytes().hex().upper()
    return f'dense<"0x{data}">'
