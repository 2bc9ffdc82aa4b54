# -*- Python -*-
# lit configuration for dyn's regression tests.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "DYN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dyn_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%dyn_src_root", config.dyn_src_root))
config.substitutions.append(("%dyn_obj_root", config.dyn_obj_root))

# Sanitizer builds (DYN_SANITIZERS): tools and artifacts share the shared
# sanitizer runtime; Python, which is not instrumented, preloads it and
# does not check for leaks (the interpreter keeps memory to its exit).
python_command = config.python_executable
if config.dyn_sanitizers:
    import subprocess
    config.available_features.add("sanitizers")
    # allow_user_poisoning=0: LLVM's header-only allocators poison memory in
    # instrumented code that the uninstrumented MLIR libraries then use.
    # allocator_may_return_null=1: a failed malloc is DYN_ERROR_ALLOC.
    asan_options = "allow_user_poisoning=0:allocator_may_return_null=1"
    config.environment["ASAN_OPTIONS"] = f"detect_leaks=1:{asan_options}"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    if "address" in config.dyn_sanitizers:
        runtime = subprocess.run(
            [config.c_compiler, "-print-file-name=libclang_rt.asan-x86_64.so"],
            capture_output=True, text=True).stdout.strip()
        python_command = (f"env LD_PRELOAD={runtime} "
                          f"ASAN_OPTIONS=detect_leaks=0:{asan_options} "
                          f"{config.python_executable}")

# Python with numpy (Debian's python3 by default: it also has PyTorch) and the
# dyn package from the source tree.
config.substitutions.append(("%python", python_command))
config.environment["PYTHONPATH"] = os.path.join(config.dyn_src_root, "python")
config.substitutions.append(("%dyn_runtime_include",
                             os.path.join(config.dyn_src_root, "include")))
# In sanitizer builds C hosts link the instrumented runtime: same flags.
sanitizer_flags = " ".join(config.dyn_sanitizer_flags.split(";"))
config.substitutions.append(("%cc", f"{config.c_compiler} {sanitizer_flags}".strip()))
# The pages of docs/reference/ generated from ODS (docs/CMakeLists.txt).
config.substitutions.append(("%dyn_reference_files",
                             " ".join(config.dyn_reference_files.split(";"))))

# valgrind cannot run sanitizer-instrumented code.
if shutil.which("valgrind") and not config.dyn_sanitizers:
    config.available_features.add("valgrind")

# DynPlugin (lib/Plugin; not in sanitizer builds) loads into upstream's
# unmodified mlir-opt; its LLVM dialect output is translated with
# mlir-translate and linked with clang.
plugin = os.path.join(config.dyn_obj_root, "lib", "DynPlugin.so")
upstream_tools = {tool: os.path.join(config.llvm_tools_dir, tool)
                  for tool in ("mlir-opt", "mlir-translate")}
if os.path.exists(plugin) and all(os.access(path, os.X_OK)
                                  for path in upstream_tools.values()):
    config.available_features.add("mlir-opt-plugin")
    config.substitutions.append(("%dyn_plugin", plugin))
    config.substitutions.append(("%upstream_mlir_opt", upstream_tools["mlir-opt"]))
    config.substitutions.append(("%upstream_mlir_translate",
                                 upstream_tools["mlir-translate"]))
    config.substitutions.append(("%dyn_runtime_lib", os.path.join(
        config.dyn_obj_root, "lib", "libdyn_runtime.a")))

# AArch64 artifacts run under qemu-user with the cross runner (built when
# aarch64-linux-gnu-gcc is installed).
aarch64_runner = os.path.join(config.dyn_tools_dir, "aarch64", "dyn-run-min")
qemu = shutil.which("qemu-aarch64")
if qemu and os.path.exists(aarch64_runner):
    config.available_features.add("aarch64-qemu")
    config.substitutions.append(("%qemu_aarch64", f"{qemu} -L /usr/aarch64-linux-gnu"))
    config.substitutions.append(("%dyn_run_min_aarch64", aarch64_runner))

# nvptx: PTX and cubins are checked with the toolkit's ptxas (and cuobjdump
# where the toolkit has it); artifacts link against dyn's CUDA shim (built
# when cuda.h was found) and the stub libcuda; they execute only where a GPU
# and its driver are present (`cuda-device`).
cuda_path = getattr(config, "cuda_path", "") or "/usr/local/cuda"
config.substitutions.append(("%cuda_path", cuda_path))
for tool in ("ptxas", "cuobjdump"):
    path = os.path.join(cuda_path, "bin", tool)
    if os.access(path, os.X_OK):
        config.available_features.add(tool)
        config.substitutions.append((f"%{tool}", path))
if os.path.exists(os.path.join(config.dyn_obj_root, "lib",
                               "libdyn_cuda_runtime.a")):
    config.available_features.add("cuda-shim")


def _cuda_device_present() -> bool:
    """A driver that initialises and reports at least one device."""
    import ctypes
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    count = ctypes.c_int(0)
    return (cuda.cuInit(0) == 0 and
            cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 and count.value > 0)


if "cuda-shim" in config.available_features and _cuda_device_present():
    config.available_features.add("cuda-device")

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP",
                                     "CCACHE_DIR"])
llvm_config.use_default_substitutions()

# LLVM 22's tools (FileCheck, not, count) come first: Debian also ships older
# ones (/usr/bin/FileCheck-14) that must not be picked up.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.dyn_tools_dir, append_path=True)

tools = [ToolSubst("dyn-opt", unresolved="fatal"),
         ToolSubst("dyn-compile", unresolved="fatal"),
         ToolSubst("dyn-run", unresolved="fatal"),
         ToolSubst("dyn-run-min", unresolved="fatal")]
llvm_config.add_tool_substitutions(tools, [config.dyn_tools_dir])

# The embedding test configures and builds a consumer project against the
# staged install of dyn, with the same compilers, launcher and linker.
config.excludes.append("consumer")
consumer_flags = [
    "-DCMAKE_BUILD_TYPE=Release",
    f"-DMLIR_DIR={config.mlir_dir}",
    f"-DCMAKE_CXX_COMPILER={config.cxx_compiler}",
    f"-DCMAKE_MAKE_PROGRAM={config.cmake_make_program}",
]
if config.cxx_compiler_launcher:
    consumer_flags.append(
        f"-DCMAKE_CXX_COMPILER_LAUNCHER={config.cxx_compiler_launcher}")
if config.linker_flags.strip():
    consumer_flags.append(f"-DCMAKE_EXE_LINKER_FLAGS='{config.linker_flags}'")
config.substitutions.append(("%cmake_consumer_flags", " ".join(consumer_flags)))
config.substitutions.append(("%cmake_generator", f"'{config.cmake_generator}'"))
config.substitutions.append(("%cmake", f"'{config.cmake_command}'"))
config.substitutions.append(("%dyn_install", config.dyn_test_install_dir))
