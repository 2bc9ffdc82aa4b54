"""dyn.compile(..., target="cuda"): a zoo model with data-dependent routing
compiles for the GPU. Where a GPU and its driver are present the result is
checked against eager PyTorch on every path; elsewhere loading it must fail
with a clear message, not a crash, and the same model built with
--gpu-emulation runs every path correctly against the emulating libcuda of
the lit tests (kernels executed on the CPU)."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import dyn
from dyn.zoo import MODELS

ROOT = Path(__file__).resolve().parents[2]
SHIM = ROOT / "build" / "lib" / "libdyn_cuda_runtime.a"
EMULATED_DRIVER = ROOT / "test" / "Integration" / "Inputs" / "emulated_cuda.c"


def _gpu_present() -> bool:
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    count = ctypes.c_int(0)
    return cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 \
        and count.value > 0


@pytest.mark.skipif(not SHIM.exists(), reason="dyn was built without the CUDA shim")
def test_cuda_target(tmp_path):
    entry = MODELS["moe"]
    model = entry.build()
    example = entry.example()
    if not _gpu_present():
        with pytest.raises(RuntimeError, match="needs the NVIDIA driver"):
            dyn.compile(model, example, target="cuda", workdir=str(tmp_path))
        assert (tmp_path / "module.so").exists()
        return
    _check_against_eager(dyn.compile(model, example, target="cuda", workdir=str(tmp_path)))


def _check_against_eager(compiled) -> None:
    """The compiled MoE agrees with eager PyTorch on 100 inputs covering
    every expert."""
    entry = MODELS["moe"]
    model = entry.build()
    generator = torch.Generator().manual_seed(0)
    paths = set()
    for _ in range(100):
        inputs = entry.sample(generator)
        want = model(*inputs)
        got = compiled(*inputs)
        want = want if isinstance(want, tuple) else (want,)
        got = got if isinstance(got, tuple) else (got,)
        for w, g in zip(want, got):
            if isinstance(w, torch.Tensor):
                assert torch.allclose(w, g, rtol=1e-4, atol=1e-4)
            else:
                assert w == g
        paths.add(entry.path(model, inputs))
    assert paths == {f"expert{k}" for k in range(4)}


def _run_emulated(workdir: str) -> None:
    """In a process whose libcuda is the emulating one."""
    entry = MODELS["moe"]
    compiled = dyn.compile(entry.build(), entry.example(), target="cuda", workdir=workdir,
                           extra_args=["--gpu-emulation", "--gpu-format=isa"])
    _check_against_eager(compiled)


@pytest.mark.skipif(not SHIM.exists() or shutil.which("cc") is None,
                    reason="needs the CUDA shim and a C compiler")
def test_cuda_target_emulated(tmp_path):
    driver = tmp_path / "driver"
    driver.mkdir()
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(driver / "libcuda.so.1"),
                    str(EMULATED_DRIVER), "-ldl"], check=True)
    env = dict(os.environ, LD_LIBRARY_PATH=str(driver))
    code = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; "
            "from test_cuda import _run_emulated; _run_emulated(sys.argv[3])")
    subprocess.run([sys.executable, "-c", code, str(ROOT / "python"),
                    str(Path(__file__).parent), str(tmp_path / "build")],
                   check=True, env=env)
