"""python/dyn/dtypes.py and the importer's dtype handling agree with the C
header's table (DYN_DTYPES in include/dyn/Runtime/dyn_runtime.h)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from dyn import dtypes, runtime
from dyn.frontend.values import elt_of

HEADER = Path(__file__).resolve().parents[2] / "include" / "dyn" / "Runtime" / "dyn_runtime.h"


def header_table() -> list[tuple[str, int, str, int, str]]:
    text = HEADER.read_text()
    rows = re.findall(r'X\((DYN_\w+), (\d+), "(\w+)", (\d+), "(\w*)"\)', text)
    assert rows, "no DYN_DTYPES table in dyn_runtime.h"
    return [(enum, int(code), name, int(size), npy) for enum, code, name, size, npy in rows]


def test_table_matches_header():
    rows = header_table()
    assert [(d.code, d.name, d.itemsize) for d in dtypes.DTYPES] == \
        [(code, name, size) for _, code, name, size, _ in rows]
    for (_, _, name, size, npy), d in zip(rows, dtypes.DTYPES):
        if npy:
            assert d.np_dtype == np.dtype(npy), name
            assert d.np_dtype.itemsize == size
        else:
            assert d.numpy is None, name
        assert torch.empty(0, dtype=getattr(torch, d.torch)).element_size() == size, name


def test_torch_names_and_scalar_types():
    # c10::ScalarType codes as TorchScript writes dtype constants.
    for d in dtypes.DTYPES:
        torch_dtype = getattr(torch, d.torch)
        assert dtypes.from_torch(torch_dtype) is d
        # a zeros(..., dtype=) in a scripted graph carries the ScalarType code
        unit = torch.jit.CompilationUnit(
            f"def f(n: int):\n    return torch.zeros([n], dtype=torch.{d.torch})\n")
        graph = unit.f.graph
        codes = [int(n.output().toIValue()) for n in graph.nodes()
                 if n.kind() == "prim::Constant" and n.output().type().kind() == "IntType"]
        assert d.scalar_type in codes, (d.name, codes)
    assert dtypes.from_torch(torch.uint8).name == "i8"


def test_runtime_and_importer_use_the_table():
    assert runtime._NAMES == {name: code for _, code, name, _, _ in header_table()}
    assert set(runtime._DTYPES.values()) == {d.np_dtype for d in dtypes.DTYPES if d.numpy}
    assert elt_of(torch.float32) == "f32" and elt_of(torch.bool) == "i1"
    assert elt_of(torch.bfloat16) is None  # numpy cannot hold it
