"""dyn: a compiler for dynamic neural networks (Python side).

`dyn.runtime` loads artifacts made by `dyn-compile` and calls their entry
points on numpy arrays through dyn's C ABI (`dyn/Runtime/dyn_runtime.h`).
"""

from dyn.runtime import DynError, EntryPoint, Module, load

__all__ = ["DynError", "EntryPoint", "Module", "load"]
