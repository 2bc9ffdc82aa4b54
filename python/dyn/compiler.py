"""`dyn.compile`: PyTorch module with data-dependent control flow -> native code."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence

import torch

from dyn.dtypes import DTYPES, TORCH_ALIASES, BY_NAME
from dyn.frontend.torchscript import Importer
from dyn.frontend.values import ScalarVal, TensorVal, elt_of
from dyn.options import option_flags
from dyn.runtime import EntryPoint, Module, error_for_status, load, load_fastcall

_TARGETS = {"cpu": "x86_64", "x86_64": "x86_64", "aarch64": "aarch64",
            "cuda": "nvptx", "nvptx": "nvptx"}


def find_dyn_compile() -> str:
    """$DYN_COMPILE, the build tree next to this package, or PATH."""
    if os.environ.get("DYN_COMPILE"):
        return os.environ["DYN_COMPILE"]
    here = Path(__file__).resolve().parent
    for candidate in (here.parent.parent / "build" / "bin" / "dyn-compile",):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("dyn-compile")
    if found:
        return found
    raise FileNotFoundError("cannot find dyn-compile: build the project or set DYN_COMPILE")


def _input_spec(value: Any, index: int, dynamic: Iterable[int]) -> TensorVal | ScalarVal:
    if isinstance(value, torch.Tensor):
        elt = elt_of(value.dtype)
        if elt is None:
            raise TypeError(f"example input {index} has unsupported dtype {value.dtype}")
        dyn = set(d % value.dim() for d in dynamic) if value.dim() else set()
        shape = [None if d in dyn else s for d, s in enumerate(value.shape)]
        return TensorVal("", shape, elt)
    if isinstance(value, bool):
        return ScalarVal("i1", "")
    if isinstance(value, int):
        return ScalarVal("i64", "")
    if isinstance(value, float):
        return ScalarVal("f64", "")
    raise TypeError(f"example input {index} of type {type(value).__name__} is not supported")


def import_module(module: torch.nn.Module, example_inputs: Sequence[Any],
                  dynamic_dims: Optional[dict[int, Sequence[int]]] = None,
                  frontend: str = "torchscript", dynamic_shapes: Any = None):
    """Imports `module` through `frontend` ("torchscript": scripted and
    frozen; "export": torch.export, PyTorch 2); returns (MLIR text, the
    layout of what forward returns, forward's parameters or None)."""
    if frontend not in ("torchscript", "export"):
        raise ValueError(f"unknown frontend {frontend!r} (expected 'torchscript' or 'export')")
    module = module.eval()
    # The example inputs must fit the model (its weights fix shapes that the
    # compiled code would otherwise only check at run time, or not at all):
    # PyTorch's own error, before anything is compiled.
    with torch.no_grad():
        try:
            eager = module(*example_inputs)
        except Exception as error:
            raise ValueError(f"the example inputs do not fit the model: "
                             f"{type(error).__name__}: {error}") from error
    # Fused recurrent layers become loops over time (on a copy): both
    # frontends keep the sequence length dynamic that way.
    from dyn.frontend.recurrent import unfused
    module = unfused(module)
    if frontend == "export":
        return _import_exported(module, example_inputs, dynamic_dims, dynamic_shapes, eager)
    scripted = torch.jit.script(module)
    frozen = torch.jit.freeze(scripted)
    graph = frozen.graph
    specs = []
    for i, value in enumerate(example_inputs):
        dims = (dynamic_dims or {}).get(i, [0])
        specs.append(_input_spec(value, i, dims))
    omitted = _omitted(scripted, len(example_inputs))
    importer = Importer(graph, specs, omitted)
    text = importer.run("forward")
    outputs = list(graph.outputs())
    layout = _script_layout(outputs[0].type(), importer.result_tree[0]) \
        if len(outputs) == 1 else \
        (tuple, [_script_layout(v.type(), t) for v, t in zip(outputs, importer.result_tree)])
    parameters = _parameters(scripted)
    return text, layout, parameters[:len(parameters) - omitted]


def _omitted(scripted: torch.jit.ScriptModule, given: int) -> int:
    """How many trailing parameters of forward the example inputs leave to
    their default, which must be None (an initial state, a mask): those
    are not inputs of the compiled module."""
    arguments = scripted.forward.schema.arguments[1:]
    rest = arguments[given:]
    if any(not a.has_default_value() or a.default_value is not None for a in rest):
        return 0  # the importer says what is missing
    return len(rest)


def _import_exported(module, example_inputs, dynamic_dims, dynamic_shapes, eager):
    """The PyTorch 2 path (dyn.frontend.export). Without `dynamic_shapes`,
    the dims of `dynamic_dims` (default: dim 0 of every tensor) are
    `Dim.AUTO`: dynamic unless the model fixes them. `eager` is what the
    module returned for the example inputs: its nesting and the Python
    numbers in it are the compiled module's calling convention."""
    from dyn.frontend import export, rewrite

    # Python control flow on tensors becomes torch.cond / torch.while_loop
    # (on a copy of the module).
    module = rewrite.capture_control_flow(module)
    trace_inputs = tuple(example_inputs)
    if dynamic_shapes is None:
        auto = torch.export.Dim.AUTO
        dims = [sorted({d % v.dim() for d in (dynamic_dims or {}).get(i, [0])})
                if isinstance(v, torch.Tensor) and v.dim() else []
                for i, v in enumerate(example_inputs)]
        dynamic_shapes = tuple({d: auto for d in ds} or None for ds in dims)
        # A dynamic dim of size 1 in the example is traced at size 2: even
        # size-obliviously, some decompositions bake the example's 1 into
        # the program (scaled_dot_product_attention expands to [1, heads,
        # ...]), which would be wrong for any other batch.
        trace_inputs = tuple(_widen(v, ds) for v, ds in zip(example_inputs, dims))
    try:
        program = export.export_program(module, trace_inputs, dynamic_shapes)
    except Exception:
        if all(a is b for a, b in zip(trace_inputs, example_inputs)):
            raise
        # the model fixes that dim to 1 (or refuses 2): as the example says
        program = export.export_program(module, example_inputs, dynamic_shapes)
    importer = export.ExportImporter(program, export.input_specs(program, example_inputs))
    text = importer.run("forward")
    layout = _value_layout(eager)
    if _count(layout) != len(importer.result_kinds):
        raise RuntimeError(f"the exported program returns {len(importer.result_kinds)} "
                           f"values, forward returned {_count(layout)}")
    return text, layout, None


def _widen(value: Any, dims: list[int]) -> Any:
    """`value` repeated to size 2 along those of `dims` where it has size 1."""
    for d in dims:
        if value.shape[d] == 1:
            value = torch.cat([value, value], d)
    return value


# What forward returns, as the compiled module rebuilds it from the entry
# point's flat results: a leaf kind ("Tensor", "int", "float", "bool": one
# result each; numbers come back as Python numbers), None (forward returned
# None there: no result), or (container, children) where container is
# tuple, list or a NamedTuple class.
Layout = Any


def _value_layout(value: Any) -> Layout:
    """The layout of a value forward returned (the PyTorch 2 path: eager's
    nesting and types are the compiled module's)."""
    if isinstance(value, torch.Tensor):
        return "Tensor"
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, (tuple, list)):
        return (type(value), [_value_layout(v) for v in value])
    raise TypeError(f"forward returned a {type(value).__name__}: a compiled model returns "
                    "tensors, numbers and tuples and lists of them")


def _script_layout(kind: Any, tree: Any) -> Layout:
    """The layout of a TorchScript result of type `kind` (None: unknown)
    that the importer returned as `tree` (its `result_tree`)."""
    if isinstance(kind, torch._C.OptionalType):
        kind = kind.getElementType()
    if tree is None:
        return None
    if isinstance(tree, (tuple, list)):
        if isinstance(kind, torch._C.TupleType):
            elements, container = kind.elements(), _named_tuple(kind) or tuple
        elif isinstance(kind, torch._C.ListType):
            elements, container = [kind.getElementType()] * len(tree), list
        else:
            elements, container = [None] * len(tree), type(tree)
        return (container, [_script_layout(k, t) for k, t in zip(elements, tree)])
    return str(kind) if str(kind) in ("int", "float", "bool") else "Tensor"


def _named_tuple(kind: torch._C.TupleType) -> Optional[type]:
    """The Python NamedTuple class a TorchScript tuple type stands for
    (`__torch__.torchvision.models.googlenet.GoogLeNetOutputs`), or None."""
    name = str(kind)
    if not name.startswith("__torch__."):
        return None
    module_name, _, class_name = name[len("__torch__."):].rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError):
        return None
    return found if isinstance(found, type) and hasattr(found, "_make") else None


def _count(layout: Layout) -> int:
    """How many of the entry point's results `layout` takes."""
    if layout is None:
        return 0
    if isinstance(layout, str):
        return 1
    return sum(_count(child) for child in layout[1])


def _rebuild(layout: Layout, results: Iterator[torch.Tensor]) -> Any:
    if layout is None:
        return None
    if isinstance(layout, str):
        value = next(results)
        return value.item() if layout in ("int", "float", "bool") else value
    container, children = layout
    items = [_rebuild(child, results) for child in children]
    return container._make(items) if hasattr(container, "_make") else container(items)


def _parameters(scripted: torch.jit.ScriptModule) -> list[tuple[str, str]]:
    """(name, TorchScript type) of forward's parameters, without self."""
    schema = scripted.forward.schema
    return [(a.name, str(a.type)) for a in schema.arguments[1:]]


class CompiledModule:
    """A compiled network: call it with torch tensors (and Python scalars)."""

    def __init__(self, mlir: str, library: Path, workdir: Path, layout: Layout,
                 parameters: Optional[list[tuple[str, str]]] = None,
                 fastcall_search: Sequence[Path] = ()):
        self.mlir = mlir
        self._parameters = parameters
        self.library = library
        self._workdir = workdir
        self._module: Module = load(library)
        self._entry = self._module.forward
        self._layout = layout
        self._fast, self._unsupported = _fast_entry(self._module, self._entry,
                                                    fastcall_search, parameters)
        self._results = _rebuilder(layout)

    @property
    def threads(self) -> int:
        """Threads the compiled code's parallel loops use; settable (1 to
        256) between calls. Each compiled module has its own pool."""
        return self._module.threads

    @threads.setter
    def threads(self, count: int) -> None:
        self._module.threads = count

    @property
    def fast_path(self) -> bool:
        """Whether calls go through the `_dyn_fastcall` extension (torch
        tensors read in C, outputs without a copy) rather than numpy."""
        return self._fast is not None

    def __call__(self, *args: Any) -> Any:
        if self._fast is not None:  # it checks the arguments as below
            try:
                return self._results(self._fast(*args))
            except self._unsupported:
                pass  # inputs the fast path does not take: the general path
        if self._parameters is not None:
            _check_arguments(self._parameters, args)
        arrays = [arg.detach().cpu().numpy() if isinstance(arg, torch.Tensor) else arg
                  for arg in args]
        results = [torch.from_numpy(o) for o in self._entry(*arrays)]
        return _rebuild(self._layout, iter(results))


def _dlpack_kind(name: str) -> Optional[tuple[int, int, Any]]:
    """How outputs of ABI type `name` cross DLPack: (type code, bits, the
    dtype to view the result as or None). Booleans cross as uint8 (PyTorch
    1.13's DLPack has no bool)."""
    bits = BY_NAME[name].itemsize * 8
    if name == "i1":
        return (1, 8, torch.bool)
    if name == "bf16":
        return (4, 16, None)
    return (2, bits, None) if name.startswith("f") else (0, bits, None)


def _rebuilder(layout: Layout):
    """The function from the entry's results to forward's value: the one
    tensor itself, or `_rebuild` of the layout."""
    if layout == "Tensor":
        return lambda results: results[0]
    return lambda results: _rebuild(layout, iter(results))


def _fast_entry(module: Module, entry: EntryPoint, search: Sequence[Path],
                parameters: Optional[list[tuple[str, str]]]):
    """(the fast entry, its Unsupported exception), or (None, None) without
    the extension."""
    extension = load_fastcall(search)
    if extension is None:
        return None, None
    codes = {getattr(torch, d.torch): d.code for d in DTYPES}
    codes.update({getattr(torch, t): BY_NAME[a].code for t, a in TORCH_ALIASES.items()})
    kinds = [None] * (max(d.code for d in DTYPES) + 1)
    for d in DTYPES:
        kinds[d.code] = _dlpack_kind(d.name)
    by_code = {d.code: d for d in DTYPES}

    def input_type(code: int) -> tuple[int, str, int]:
        d = by_code[code]
        if d.name == "i1":
            return (code, "b", 1)
        if d.name.startswith("i"):
            return (code, "i", d.itemsize)
        return (code, "f", d.itemsize) if d.name in ("f32", "f64") else (-1, "f", 0)

    from_dlpack = getattr(torch._C, "_from_dlpack", None) or torch.utils.dlpack.from_dlpack
    fast = extension.Entry(
        function=entry.address, last_error=module.address_of("dyn_last_error"),
        release=module.address_of("dyn_tensor_release"),
        input_types=[input_type(spec.dtype) for spec in entry.inputs],
        num_outputs=len(entry.outputs), tensor_type=torch.Tensor, dtype_codes=codes,
        output_kinds=tuple(kinds), from_dlpack=from_dlpack, error=error_for_status,
        parameters=parameters)
    return fast, extension.Unsupported


_ACCEPTS = {"Tensor": lambda a: isinstance(a, torch.Tensor),
            "int": lambda a: isinstance(a, int) and not isinstance(a, bool),
            "float": lambda a: isinstance(a, (int, float)) and not isinstance(a, bool),
            "bool": lambda a: isinstance(a, bool)}


def _check_arguments(parameters: list[tuple[str, str]], args: Sequence[Any]) -> None:
    """TorchScript's checks of forward's arguments (count and kind), with
    its wording: the compiled code would otherwise convert what it gets."""
    if len(args) != len(parameters):
        raise TypeError(f"forward() expected {len(parameters)} argument(s), got {len(args)}")
    for (name, kind), arg in zip(parameters, args):
        check = _ACCEPTS.get(kind)
        if check is not None and not check(arg):
            raise TypeError(f"forward() expected a value of type '{kind}' for argument "
                            f"'{name}' but instead found type '{type(arg).__name__}'")


def compile(module: torch.nn.Module, example_inputs: Sequence[Any], target: str = "cpu",
            dynamic_dims: Optional[dict[int, Sequence[int]]] = None,
            workdir: Optional[str] = None, extra_args: Sequence[str] = (),
            frontend: str = "torchscript", dynamic_shapes: Any = None,
            threads: Optional[int] = None, **options: Any) -> CompiledModule:
    """Compiles `module` (whose forward may branch and loop on tensor values)
    for `target` ("cpu": this machine; "cuda": its CUDA GPU, kernels for
    sm_90 unless `gpu_chip` says otherwise; "aarch64": an AArch64 library to
    run elsewhere). Dims of the example inputs listed in `dynamic_dims`
    (input index -> dims; default: dim 0 of every tensor) stay dynamic in
    the compiled code.

    `frontend="export"` imports through torch.export (PyTorch 2: Core ATen,
    `torch.cond` / `torch.while_loop` as dyn control flow) instead of
    TorchScript; `dynamic_shapes` is then torch.export's (`torch.export.Dim`
    per dim), by default `Dim.AUTO` on the `dynamic_dims`.

    `threads` sets how many threads the compiled code's parallel loops use
    (default: DYN_NUM_THREADS, else 1; `.threads` changes it later).

    `options` are dyn-compile's compile options with `_` for `-`
    (`plan_memory=False`, `vector_size=8`, `specialize=["forward:0.0=1,8"]`,
    `gpu_chip="sm_80"`; `dyn-compile --list-options` and
    docs/reference/options.md list them), checked before anything is
    compiled. `extra_args` are passed to dyn-compile as they are. The
    MLIR and the library are written to `workdir` and kept there; without
    one, to a temporary directory that is removed before this returns."""
    if target not in _TARGETS:
        raise ValueError(f"unknown target {target!r} (expected one of {sorted(_TARGETS)})")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                or not 1 <= threads <= 256):
        raise ValueError(f"threads must be an int between 1 and 256, not {threads!r}")
    dyn_compile = find_dyn_compile()
    flags = option_flags(dyn_compile, _TARGETS[target], options)
    mlir, layout, parameters = import_module(module, example_inputs, dynamic_dims,
                                            frontend, dynamic_shapes)
    # A temporary directory is removed once the library is loaded (it stays
    # mapped) or the compilation failed; a given `workdir` is kept.
    directory = Path(workdir or tempfile.mkdtemp(prefix="dyn-"))
    try:
        compiled = _compile_in(directory, mlir, layout, parameters, dyn_compile, target,
                               [*flags, *extra_args])
        if threads is not None:
            compiled.threads = threads
        return compiled
    finally:
        if workdir is None:
            shutil.rmtree(directory, ignore_errors=True)


def _compile_in(directory: Path, mlir: str, layout: Layout,
                parameters: list[tuple[str, str]], dyn_compile: str, target: str,
                flags: list[str]) -> CompiledModule:
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / "module.mlir"
    source.write_text(mlir)
    library = directory / "module.so"
    cmd = [dyn_compile, str(source), "-o", str(library),
           f"--target={_TARGETS[target]}", *flags]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"dyn-compile failed on {source} (pass workdir= to keep "
                           f"the files):\n{result.stderr}")
    try:
        return CompiledModule(mlir, library, directory, layout, parameters,
                              [Path(dyn_compile).resolve().parent.parent / "python"])
    except OSError as error:
        if _TARGETS[target] != "nvptx":
            raise
        raise RuntimeError(f"{library} was compiled for the CUDA GPU but cannot be loaded "
                           f"here: it needs the NVIDIA driver (libcuda.so.1): {error}") from error
