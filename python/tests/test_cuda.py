"""dyn.compile(..., target="cuda"): a zoo model with data-dependent routing
compiles for the GPU. Where a GPU and its driver are present the result is
checked against eager PyTorch on every path; elsewhere loading it must fail
with a clear message, not a crash."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pytest
import torch

import dyn
from dyn.zoo import MODELS

SHIM = Path(__file__).resolve().parents[2] / "build" / "lib" / "libdyn_cuda_runtime.a"


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
    compiled = dyn.compile(model, example, target="cuda", workdir=str(tmp_path))
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
