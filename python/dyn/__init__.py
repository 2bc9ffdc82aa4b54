"""dyn: a compiler for dynamic neural networks (Python side).

`dyn.compile(module, example_inputs)` compiles a torch.nn.Module whose
forward has data-dependent control flow; `dyn.runtime` loads artifacts made by `dyn-compile` and calls their entry
points on numpy arrays through dyn's C ABI (`dyn/Runtime/dyn_runtime.h`).
"""

from dyn.runtime import (DynError, DynInputError, DynMemoryError, DynTypeError, EntryPoint,
                         Module, RunnerModule, load)

__all__ = ["DynError", "DynInputError", "DynMemoryError", "DynTypeError", "EntryPoint", "Module",
           "RunnerModule", "load", "compile", "CompiledModule", "UnsupportedError"]


def __getattr__(name: str):
    # The PyTorch frontend is imported lazily: dyn.load works without torch.
    if name in ("compile", "CompiledModule"):
        from dyn import compiler
        return getattr(compiler, name)
    if name == "UnsupportedError":
        from dyn.frontend.values import UnsupportedError
        return UnsupportedError
    raise AttributeError(name)
