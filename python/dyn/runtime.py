"""Load dyn-compiled shared libraries and call them on numpy arrays.

The C ABI (include/dyn/Runtime/dyn_runtime.h) exports, per entry point F,

    int32_t dyn_F(const dyn_tensor *in, int64_t n_in,
                  dyn_tensor *out, int64_t n_out);

and the string `dyn_module_signature` listing every entry point, e.g.
`forward(f32[?,64], i64[]) -> (f32[?,10])`.
"""

from __future__ import annotations

import builtins
import ctypes
import functools
import importlib.machinery
import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Iterable, Optional, Sequence

import numpy as np

from dyn.dtypes import DTYPES

MAX_RANK = 8

# dyn_dtype codes <-> numpy dtypes (bf16 has no numpy type).
_DTYPES: dict[int, np.dtype] = {d.code: d.np_dtype for d in DTYPES if d.numpy}
_CODES: dict[np.dtype, int] = {v: k for k, v in _DTYPES.items()}
_NAMES: dict[str, int] = {d.name: d.code for d in DTYPES}


class DynTensor(ctypes.Structure):
    """Mirror of `dyn_tensor` (160 bytes)."""

    _fields_ = [
        ("data", ctypes.c_void_p),
        ("allocated", ctypes.c_void_p),
        ("rank", ctypes.c_int64),
        ("sizes", ctypes.c_int64 * MAX_RANK),
        ("strides", ctypes.c_int64 * MAX_RANK),
        ("dtype", ctypes.c_int32),
        ("reserved", ctypes.c_int32),
    ]


assert ctypes.sizeof(DynTensor) == 160


class DynError(RuntimeError):
    """An entry point rejected its inputs or failed."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class DynInputError(DynError, ValueError):
    """Inputs of the wrong number, rank, shape or layout (as PyTorch raises
    ValueError/RuntimeError for them, this is both)."""


class DynTypeError(DynError, TypeError):
    """An input of the wrong element type."""


class DynMemoryError(DynError, MemoryError):
    """Compiled code could not allocate (DYN_ERROR_ALLOC)."""


# dyn_status codes (dyn_runtime.h) -> the exception raised for them.
_STATUS_ERRORS = {1: DynInputError, 2: DynTypeError, 3: DynInputError,
                  4: DynInputError, 5: DynInputError, 6: DynMemoryError}


DYN_ERROR_ASSERT = 8


def error_for_status(message: str, status: int) -> Exception:
    """The exception for a failed call's `status` and message. A failed
    run-time check of the program (DYN_ERROR_ASSERT, "ENTRY: Type: text",
    from a data-dependent `raise Type(text)` or `assert`) is raised as that
    builtin exception type with its text, as eager PyTorch would."""
    if status == DYN_ERROR_ASSERT:
        _, _, rest = message.partition(": ")
        kind, _, text = rest.partition(": ")
        exception = getattr(builtins, kind, None)
        if isinstance(exception, type) and issubclass(exception, Exception):
            return exception(text)
        return DynError(rest or message, status)
    return _STATUS_ERRORS.get(status, DynError)(message, status)


@dataclass(frozen=True)
class TensorSpec:
    """One argument or result type: element type code and extents (-1 = ?)."""

    dtype: int
    shape: tuple[int, ...]

    @staticmethod
    def parse(text: str) -> "TensorSpec":
        match = re.fullmatch(r"(\w+)\[([^\]]*)\]", text.strip())
        if not match:
            raise ValueError(f"bad type in signature: {text!r}")
        dims = [d for d in match.group(2).split(",") if d]
        return TensorSpec(_NAMES[match.group(1)],
                          tuple(-1 if d == "?" else int(d) for d in dims))


def _split_types(text: str) -> list[TensorSpec]:
    return [TensorSpec.parse(t) for t in re.findall(r"\w+\[[^\]]*\]", text)]


class EntryPoint:
    """A callable entry point: takes and returns numpy arrays."""

    def __init__(self, module: "Module", signature: str):
        match = re.fullmatch(r"(\w+)\((.*)\) -> \((.*)\)", signature)
        if not match:
            raise ValueError(f"bad signature line: {signature!r}")
        self.name = match.group(1)
        self.signature = signature
        self.inputs = _split_types(match.group(2))
        self.outputs = _split_types(match.group(3))
        self._module = module
        self._function = getattr(module._library, "dyn_" + self.name)
        self._function.restype = ctypes.c_int32
        self._function.argtypes = [ctypes.POINTER(DynTensor), ctypes.c_int64,
                                   ctypes.POINTER(DynTensor), ctypes.c_int64]

    @property
    def address(self) -> int:
        """The address of the entry's C function `dyn_NAME`."""
        return ctypes.cast(self._function, ctypes.c_void_p).value

    def __call__(self, *args: np.ndarray | float | int | bool) -> list[np.ndarray]:
        keep = []  # the arrays must outlive the call
        inputs = (DynTensor * max(1, len(args)))()
        for i, arg in enumerate(args):
            if not isinstance(arg, (np.ndarray, np.generic, bool, int, float)):
                raise TypeError(f"{self.name}: input {i} must be an array or a "
                                f"number, not {type(arg).__name__}")
            if isinstance(arg, np.ndarray):
                array = arg if arg.flags.c_contiguous else np.ascontiguousarray(arg)
            else:
                # Python scalars take the entry's declared element type.
                spec = self.inputs[i] if i < len(self.inputs) else None
                array = np.asarray(arg, dtype=_DTYPES.get(spec.dtype) if spec else None)
            keep.append(array)
            code = _CODES.get(array.dtype)
            if code is None:
                raise TypeError(f"{self.name}: input {i} has unsupported dtype {array.dtype}")
            if array.ndim > MAX_RANK:
                raise ValueError(f"{self.name}: input {i} has rank {array.ndim} > {MAX_RANK}")
            tensor = inputs[i]
            tensor.data = array.ctypes.data
            tensor.rank = array.ndim
            tensor.dtype = code
            itemsize = array.itemsize
            for d, (extent, stride) in enumerate(zip(array.shape, array.strides)):
                tensor.sizes[d] = extent
                tensor.strides[d] = stride // itemsize
        outputs = (DynTensor * max(1, len(self.outputs)))()
        status = self._function(inputs, len(args), outputs, len(self.outputs))
        if status != 0:
            raise error_for_status(self._module.last_error(), status)
        take = self._module._take
        return [take(outputs[j]) for j in range(len(self.outputs))]


class Module:
    """A loaded dyn artifact; entry points are attributes and `entries`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._library = ctypes.CDLL(str(self.path.resolve()))
        # The symbol is a char array: read the string at its address.
        symbol = ctypes.c_char.in_dll(self._library, "dyn_module_signature")
        text = ctypes.string_at(ctypes.addressof(symbol)).decode()
        self._library.dyn_last_error.restype = ctypes.c_char_p
        self._library.dyn_tensor_release.argtypes = [ctypes.POINTER(DynTensor)]
        self._release = self._library.dyn_tensor_release
        self.entries: dict[str, EntryPoint] = {}
        for line in text.splitlines():
            if line:
                entry = EntryPoint(self, line)
                self.entries[entry.name] = entry

    def __getattr__(self, name: str) -> EntryPoint:
        entries = self.__dict__.get("entries", {})
        if name in entries:
            return entries[name]
        raise AttributeError(name)

    def last_error(self) -> str:
        return self._library.dyn_last_error().decode()

    @property
    def threads(self) -> int:
        """Threads this artifact's parallel loops use (its own pool; 1
        unless DYN_NUM_THREADS or a setter said otherwise)."""
        return int(self._library.dyn_get_num_threads())

    @threads.setter
    def threads(self, count: int) -> None:
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"threads must be an int, not {type(count).__name__}")
        if not hasattr(self._library, "dyn_set_num_threads"):
            raise RuntimeError(f"{self.path} has no thread pool: recompile it")
        if self._library.dyn_set_num_threads(ctypes.c_int32(count)) < 0:
            raise ValueError(f"threads must be between 1 and 256, not {count}")

    def address_of(self, symbol: str) -> int:
        """The address of one of the artifact's C functions (e.g. the
        runtime's `dyn_last_error`, `dyn_tensor_release`)."""
        return ctypes.cast(getattr(self._library, symbol), ctypes.c_void_p).value

    def _take(self, tensor: DynTensor) -> np.ndarray:
        """Copies an output into a numpy array and releases its buffer."""
        dtype = _DTYPES[tensor.dtype]
        shape = tuple(tensor.sizes[:tensor.rank])
        count = 1
        for extent in shape:
            count *= extent
        if count == 0:
            array = np.zeros(shape, dtype)
        else:
            buffer = (ctypes.c_char * (count * dtype.itemsize)).from_address(tensor.data)
            array = np.frombuffer(buffer, dtype=dtype, count=count).reshape(shape).copy()
        self._release(ctypes.byref(tensor))
        return array


FASTCALL = "_dyn_fastcall"


def load_fastcall(search: Iterable[Path] = ()) -> Optional[ModuleType]:
    """The `_dyn_fastcall` extension (lib/Bindings/Python/FastCall.c: entry
    points called on torch tensors in C, outputs handed over without a
    copy), or None where it was not built. Looked for at $DYN_FASTCALL (the
    extension's path; "0" turns the fast path off), then in the folders of
    `search` (a build tree's `python/`), then on sys.path."""
    override = os.environ.get("DYN_FASTCALL")
    if override == "0":
        return None
    candidates = [Path(override)] if override else []
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    for folder in search:
        candidates += [folder / (FASTCALL + suffix) for suffix in suffixes]
    for path in candidates:
        if path.is_file():
            return _load_extension(path.resolve())
    if override:
        raise ImportError(f"DYN_FASTCALL={override} is not a file")
    try:
        return importlib.import_module(FASTCALL)
    except ImportError:
        return None


@functools.cache
def _load_extension(path: Path) -> ModuleType:
    """The extension at `path`, loaded once per process (every compiled
    model shares it and its `Unsupported`)."""
    spec = importlib.util.spec_from_file_location(FASTCALL, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(path: str | Path) -> Module:
    """Loads a shared library made by `dyn-compile --emit=shared`."""
    return Module(path)


class RunnerModule:
    """An artifact called through a runner command line instead of in
    process: `RUNNER LIB.so ENTRY OUTDIR IN.npy...` (dyn-run-min's
    interface), e.g. `qemu-aarch64 -L /usr/aarch64-linux-gnu dyn-run-min`
    for libraries built for another architecture."""

    def __init__(self, path: str | Path, runner: Sequence[str]):
        self.path = Path(path).resolve()
        self.runner = list(runner)

    def call(self, entry: str, *inputs: np.ndarray | float | int | bool) -> list[np.ndarray]:
        import subprocess
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for i, value in enumerate(inputs):
                file = Path(tmp) / f"in{i}.npy"
                np.save(file, np.asarray(value))
                files.append(str(file))
            result = subprocess.run(self.runner + [str(self.path), entry, tmp] + files,
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise DynError(result.stderr.strip(), result.returncode)
            outputs = []
            while (Path(tmp) / f"out{len(outputs)}.npy").exists():
                outputs.append(np.load(Path(tmp) / f"out{len(outputs)}.npy"))
            return outputs

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *inputs: self.call(name, *inputs)
